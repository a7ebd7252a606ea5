"""Values every layer shares and nothing below them: task states and segment statuses."""
