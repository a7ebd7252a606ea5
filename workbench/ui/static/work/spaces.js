// The round-two diff with its spacing visible: a space added or removed is the most common
// Korean correction, and as a bare space inside <ins> or <del> it can hardly be seen. Pure.

export const SPACE_MARK = "·";

// A changed part as runs of [isSpace, text]; a run of spaces shows one mark per space.
export function spaceRuns(part) {
  return [...part.matchAll(/(\s+)|(\S+)/g)].map(([, spaces, other]) =>
    (spaces ? [true, SPACE_MARK.repeat(spaces.length)] : [false, other]));
}
