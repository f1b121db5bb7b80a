"""Which MiniWoB++ tasks the bench runs, and which it leaves out and why.

The choice comes from reading the task pages (``miniwob/html/miniwob/*.html`` of the ``miniwob`` package),
not from what the engine can do today: a task is in when its problem can be read from the page's text and
solved with clicks, typing, keys and scrolling; it is out when it needs vision (shapes or colours that only
pixels tell apart), drawing, dragging, a canvas, or playing a game (memory, reflexes, guess-and-feedback).
"""

from __future__ import annotations

from bench.miniwob.site import html_root

__all__ = ["EXCLUDED", "TASKS", "all_task_pages", "check_tasks"]

_DRAG = "dragging: the answer is made by dragging items with the mouse"

EXCLUDED: dict[str, str] = {
    "ascending-numbers": "memory game: the numbers hide behind squares once the first one is clicked",
    "bisect-angle": "vision: click a point that bisects an angle drawn in SVG",
    "chase-circle": "game: keep the cursor on a moving circle",
    "circle-center": "vision: click the centre of a circle drawn in SVG",
    "click-color": "vision: the swatches differ only by their background colour",
    "click-shades": "vision: pick the tiles of one colour shade",
    "click-shape": "vision: shapes drawn in SVG, told apart by form and colour",
    "count-shape": "vision: count the shapes drawn in SVG",
    "count-sides": "vision: count the sides of a shape drawn on a canvas",
    "daily-calendar": "dragging: the event is made by dragging over the calendar's time slots",
    "drag-box": _DRAG,
    "drag-circle": _DRAG,
    "drag-cube": "dragging: rotate a cube puzzle with the mouse",
    "drag-items": _DRAG,
    "drag-items-grid": _DRAG,
    "drag-shapes": _DRAG,
    "drag-shapes-2": _DRAG,
    "drag-single-shape": _DRAG,
    "drag-sort-numbers": _DRAG,
    "draw-circle": "drawing: draw a circle with the mouse",
    "draw-line": "drawing: draw a line with the mouse",
    "find-greatest": "memory game: the cards show their number only one at a time",
    "find-midpoint": "vision: click the midpoint between two dots drawn in SVG",
    "form-sequence": "dragging: one value is set with a jQuery UI slider",
    "grid-coordinate": "vision: click a coordinate on a grid drawn in SVG",
    "guess-number": "game: guess a number from higher/lower feedback",
    "highlight-text": "dragging: select a paragraph's text with the mouse",
    "highlight-text-2": "dragging: select a paragraph's text with the mouse",
    "hot-cold": "game: find the hot area by moving the mouse around",
    "hover-shape": "game: keep the mouse on a square as it moves and changes colour",
    "identify-shape": "vision: name a shape drawn in SVG",
    "moving-items": "game: click shapes while they move",
    "number-checkboxes": "drawing: draw a digit in a checkbox grid after a pictured example",
    "resize-textarea": "dragging: resize a textarea by its handle",
    "right-angle": "vision: place a point that makes a right angle with a drawn segment",
    "simon-says": "game: repeat a sequence of flashing coloured buttons",
    "text-editor": "dragging: select words in a rich-text editor, then style them",
    "tic-tac-toe": "game: win a game of tic-tac-toe",
    "use-colorwheel": "vision: pick a colour on a colour wheel",
    "use-colorwheel-2": "vision: pick a colour on a colour wheel",
    "use-slider": "dragging: set a value with a jQuery UI slider",
    "use-slider-2": "dragging: set values with jQuery UI sliders",
    "visual-addition": "vision: count blocks drawn as coloured squares",
}

TASKS: tuple[str, ...] = (
    "book-flight",
    "book-flight-nodelay",
    "button-delay",
    "buy-ticket",
    "choose-date",
    "choose-date-easy",
    "choose-date-medium",
    "choose-date-nodelay",
    "choose-list",
    "click-button",
    "click-button-sequence",
    "click-checkboxes",
    "click-checkboxes-large",
    "click-checkboxes-soft",
    "click-checkboxes-transfer",
    "click-collapsible",
    "click-collapsible-2",
    "click-collapsible-2-nodelay",
    "click-collapsible-nodelay",
    "click-dialog",
    "click-dialog-2",
    "click-link",
    "click-menu",
    "click-menu-2",
    "click-option",
    "click-pie",
    "click-pie-nodelay",
    "click-scroll-list",
    "click-tab",
    "click-tab-2",
    "click-tab-2-easy",
    "click-tab-2-hard",
    "click-tab-2-medium",
    "click-test",
    "click-test-2",
    "click-test-transfer",
    "click-widget",
    "copy-paste",
    "copy-paste-2",
    "email-inbox",
    "email-inbox-delete",
    "email-inbox-forward",
    "email-inbox-forward-nl",
    "email-inbox-forward-nl-turk",
    "email-inbox-important",
    "email-inbox-nl-turk",
    "email-inbox-noscroll",
    "email-inbox-reply",
    "email-inbox-star-reply",
    "enter-date",
    "enter-password",
    "enter-text",
    "enter-text-2",
    "enter-text-dynamic",
    "enter-time",
    "find-word",
    "focus-text",
    "focus-text-2",
    "form-sequence-2",
    "form-sequence-3",
    "generate-number",
    "login-user",
    "login-user-popup",
    "multi-layouts",
    "multi-orderings",
    "navigate-tree",
    "odd-or-even",
    "order-food",
    "phone-book",
    "read-table",
    "read-table-2",
    "scroll-text",
    "scroll-text-2",
    "search-engine",
    "sign-agreement",
    "simple-algebra",
    "simple-arithmetic",
    "social-media",
    "social-media-all",
    "social-media-some",
    "stock-market",
    "terminal",
    "text-transform",
    "unicode-test",
    "use-autocomplete",
    "use-autocomplete-nodelay",
    "use-spinner",
)
"""Every MiniWoB++ task that needs no vision, drawing, dragging, canvas or game-playing."""


def all_task_pages() -> list[str]:
    """The names of every task page the installed package ships."""
    return sorted(p.stem for p in (html_root() / "miniwob").glob("*.html"))


def check_tasks(names: list[str]) -> list[str]:
    """``names`` when each is a chosen task; a ``ValueError`` naming the unknown or excluded ones otherwise."""
    bad = []
    for name in names:
        if name in EXCLUDED:
            bad.append(f"{name} (excluded: {EXCLUDED[name]})")
        elif name not in TASKS:
            bad.append(f"{name} (no such task)")
    if bad:
        raise ValueError("not a bench task: " + ", ".join(bad))
    return names
