"""``python -m workbench.cli``: what the web app uses to start its worker and web processes."""

from workbench.cli import main

main()
