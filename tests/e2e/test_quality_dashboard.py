"""The admin's Quality tab in real Chromium, over the demo's seeded quality history (a gold
copy scored, a clip transcribed twice with one span disputed, the crowd's active time): every
plot draws, and its figures are the stored ones."""

from __future__ import annotations

def open_tab(page, name: str) -> None:
    """Click the admin tab ``name``; Gradio folds the tabs that do not fit into "More tabs"."""
    tab = page.get_by_role("tab", name=name)
    if not tab.is_visible():
        page.get_by_role("button", name="More tabs").click()
        tab = page.get_by_role("button", name=name, exact=True)
    tab.click()


PLOTS = ("wb-quality-gold", "wb-quality-agreement", "wb-quality-workers", "wb-quality-work", "wb-quality-pay")


def test_the_quality_dashboard_draws_its_plots_for_the_demo_data(new_page, login, workbench_app, screenshot_dir):
    page = new_page()
    login(page, "admin", workbench_app.login_for("admin").password)
    page.get_by_role("tab", name="Clips").wait_for()
    open_tab(page, "Quality dashboard")
    for plot in PLOTS:
        # Gradio draws a plot with Vega: a canvas (or svg) appears once it has data to draw.
        page.locator(f"#{plot} canvas, #{plot} svg.marks").first.wait_for(timeout=30_000)
    times = page.locator("#wb-quality-times div[role=row]", has_text="demo").first
    times.wait_for()
    assert "transcriber" in times.inner_text() and "en" in times.inner_text()
    # The quality rules' figures under the plots: each reviewer's accuracy (no senior check yet).
    page.locator("#wb-quality-reviewer_accuracy div[role=row]", has_text="reviewer").first.wait_for()
    page.screenshot(path=str(screenshot_dir / "quality.png"), full_page=True)
