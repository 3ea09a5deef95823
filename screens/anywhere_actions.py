"""The actions the command palette offers on every screen: declare an incident, give feedback,
move the cart, unpin the week's story, show or hide the examples, start a maintenance window;
and nominating a story or an incident, which the screens showing one offer. The screens that
give one of them a key (`n` on the board, `f` in the reader, `g` for the curator, `x` in the
library) call it from their own action."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from functools import partial

from screens.base import ChangeMade, Command, StoryCartScreen, dialogs


def commands(screen: StoryCartScreen) -> Iterator[Command]:
    """The palette's entries for these actions on `screen`, before the screen's own."""
    yield ("declare", lambda: declare(screen))
    yield ("feedback", lambda: give_feedback(screen))
    yield ("move_cart", lambda: move_cart(screen))
    yield ("unpin", lambda: unpin_story(screen))
    yield ("examples", lambda: toggle_examples(screen))
    yield ("maintenance", lambda: start_maintenance(screen))


def declare(screen: StoryCartScreen) -> None:
    """The declaration dialog, at once: also while the database is still opening (a key
    pressed on the first look), as its declaration waits for it (change_incidents); not while
    it cannot be opened, when what was typed would wait for nothing."""
    if screen.host.database.unreachable is not None:
        screen.ready_services()  # says it cannot be reached yet
        return
    host = screen.host
    policy = host.policies.get(host.active_policy)

    def declared(request) -> None:
        if request is not None:
            screen.change_incidents(
                lambda services: services.incidents.declare(
                    policy,
                    request.title,
                    request.severity,
                    actor=host.settings.user,
                    type_key=request.type_key,
                    impact=request.impact,
                    commander=request.commander or None,
                ),
                "notice.declared",
                select_result=True,
            )

    from screens.declare_dialog import DeclareDialog

    screen.app.push_screen(DeclareDialog(screen.catalog, policy), declared)


def give_feedback(screen: StoryCartScreen) -> None:
    if screen.ready_services() is None:
        return
    catalog = screen.catalog

    def answered(text: str | None) -> None:
        if text:
            screen.write_stories(
                lambda services: services.cart.give_feedback(text, screen.host.settings.user),
                catalog.t("story.feedback_thanks"),
            )

    title = catalog.t("story.feedback_title")
    dialog = dialogs.TextDialog(catalog, title, "story.feedback_title", True)
    screen.app.push_screen(dialog, answered)


def move_cart(screen: StoryCartScreen) -> None:
    """Where the cart stands now, then the lens its reader opens on there."""
    if screen.ready_services() is None:
        return
    t = screen.catalog.t

    def placed(place: str | None) -> None:
        if not place:
            return

        def lens_chosen(lens: str | None) -> None:
            if lens is None:
                return
            chosen = None if lens == "-" else lens
            screen.write_stories(
                lambda s: s.cart.move_cart(place, screen.host.settings.user, chosen),
                t("story.cart_moved", place=place),
                reload=True,
            )

        from app.domain.story.model import LENSES

        options = [(t("story.lens_default"), "-")]
        options += [(t(f"story.lens.{lens}"), lens) for lens in LENSES]
        screen.app.push_screen(
            dialogs.ChoiceDialog(t("story.lens_title", place=place), options, "-"),
            lens_chosen,
        )

    dialog = dialogs.TextDialog(screen.catalog, t("story.cart_title"), "story.cart_hint", True)
    screen.app.push_screen(dialog, placed)


def unpin_story(screen: StoryCartScreen) -> None:
    if screen.ready_services() is not None:
        screen.write_stories(
            lambda services: services.week.unpin(screen.host.settings.user),
            screen.catalog.t("story.unpinned"),
            reload=True,
        )


def toggle_examples(screen: StoryCartScreen) -> None:
    """Hide the example stories when they are on screen, show them otherwise. Only the library
    knows (its `examples_shown`); elsewhere they count as shown, so toggling hides them."""
    if screen.ready_services() is not None:
        examples_shown = getattr(screen, "examples_shown", None)
        hide = examples_shown() if examples_shown is not None else True
        key = "story.examples_hidden" if hide else "story.examples_shown"
        screen.write_stories(
            lambda services: services.stories.hide_examples(hide),
            screen.catalog.t(key),
            reload=True,
        )


def start_maintenance(screen: StoryCartScreen) -> None:
    """A window during which matching intake alerts are recorded but page nobody."""
    if screen.ready_services() is None:
        return

    def answered(result) -> None:
        if result is not None:
            screen.run_worker(
                partial(_start_maintenance, screen, *result),
                thread=True,
                exit_on_error=False,
                group="incident-actions",
            )

    title = screen.catalog.t("maintenance.title")
    screen.app.push_screen(dialogs.MaintenanceDialog(screen.catalog, title), answered)


def _start_maintenance(screen: StoryCartScreen, name: str, seconds: int, match: str) -> None:
    """In a worker thread: open the window (the board shows it), then the app says so."""
    from app.domain.intake import window_text

    host = screen.host
    with screen.making_change() as made:
        window = host.services.maintenance.start(
            name, timedelta(seconds=seconds), host.settings.user, match
        )
        made(board=True)
    screen.app.post_message(ChangeMade(window_text(window, screen.catalog)))


def nominate(screen: StoryCartScreen, ref: str) -> None:
    """Nominate a story, or an incident ("other teams must know this"), for the next
    rotation."""
    if screen.ready_services() is None:
        return
    t = screen.catalog.t

    def answered(reason: str | None) -> None:
        if reason:
            screen.write_stories(
                lambda services: services.cart.nominate(ref, reason, screen.host.settings.user),
                t("story.nominated"),
            )

    dialog = dialogs.TextDialog(
        screen.catalog, t("story.nominate_title"), "story.nominate_reason", True
    )
    screen.app.push_screen(dialog, answered)
