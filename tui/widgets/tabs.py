"""The app's tabs: a TabbedContent that follows focus only where the focus still is.

Textual's TabbedContent shows the tab of a widget that gets focus, but it learns of the focus
later, from a message (``TabPane.Focused``) that passes three message queues on its way. A tab
switched in the meantime was switched back by that stale message: training that ended just as
the start-up focus landed on the dashboard never showed the explorer (the app switched to it,
then the dashboard's late focus message returned to the dashboard).
"""

from __future__ import annotations

from textual.widgets import TabbedContent, TabPane


class PaneTabs(TabbedContent):
    """The tabs of the app's panes (queried as :class:`~textual.widgets.TabbedContent`)."""

    def on_tab_pane_focused(self, event: TabPane.Focused) -> None:
        """Follow a focus into a pane only if it is there now, not one that has moved on since
        (``prevent_default`` skips TabbedContent's own handler, which would follow any)."""
        focused = self.screen.focused
        if focused is None or event.tab_pane not in focused.ancestors:
            event.prevent_default()
            event.stop()
