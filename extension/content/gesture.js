// Session Drop content script: which clicks on our buttons come from the person at the keyboard.
//
// `isTrusted` alone is not enough: a page script can `focus()` our button so that the person's
// next Enter (meant for something else) becomes a trusted click on it, or label it
// (`<label for>`), or give it an access key. A click on one of our buttons acts only when it
// ends a gesture that started on that very button:
//
//  - pointer: the last trusted gesture start we saw (pointerdown / mousedown / keydown anywhere in
//    the document) was a pointerdown / mousedown on the button, and a trusted pointerup / mouseup
//    on the button followed it;
//  - keyboard: the last trusted gesture start was a keydown of Enter or Space on the button, and
//    the button holds a focus the person gave it: it received focus as the first focus change
//    after a trusted Tab keydown whose default action was not prevented (checked when Enter /
//    Space comes, so that a page handler cannot prevent the Tab and move focus itself), or after a
//    trusted pointerdown on the button, while the document had the system focus; and it has not
//    lost focus since. Focus set by `element.focus()` at any other time does not count.
//
// A gesture is consumed by the click it produced (one gesture, at most one drop). Untrusted events
// never change this state. Events a page handler hides from us (stopPropagation before our
// capture listeners) can only make a click be refused, never accepted.
//
// Pure state machine (no DOM): `handle(event)` for every trusted input/focus event of the
// document, `allows(click, button)` for a click on one of our buttons.

export const ACTIVATION_KEYS = Object.freeze(["Enter", " "]);

/** Event types the guard needs to see (capture phase, document). */
export const GESTURE_EVENTS = Object.freeze([
  "pointerdown", "mousedown", "pointerup", "mouseup", "keydown", "focusin", "focusout",
]);

/**
 * @param {{ buttonOf: (target: any) => any, hasFocus?: () => boolean, later?: (fn: () => void) => void }} deps
 *   buttonOf: our bound button that is the event target (null for anything else);
 *   hasFocus: document.hasFocus(); later: run after the current task (setTimeout 0).
 */
export function createGestureGuard({ buttonOf, hasFocus = () => true, later = (fn) => setTimeout(fn, 0) }) {
  // The current gesture: { kind: "pointer", button, up } | { kind: "key", key, button } | null
  let start = null;
  // What may explain the next focus change: { kind: "tab", ev } | { kind: "pointer", button } | null
  let focusCause = null;
  // The button that holds a focus given by the person: { button, cause } | null
  let focused = null;

  function expectFocus(cause) {
    focusCause = cause;
    // A focus change caused by the event happens in the same task (its default action).
    later(() => {
      if (focusCause === cause) focusCause = null;
    });
  }

  function handle(ev) {
    if (!ev || ev.isTrusted !== true) return;
    switch (ev.type) {
      case "pointerdown":
      case "mousedown": {
        const button = buttonOf(ev.target);
        if (!(start && start.kind === "pointer" && !start.up && start.button === button)) {
          start = { kind: "pointer", button, up: false };
        }
        expectFocus({ kind: "pointer", button });
        break;
      }
      case "pointerup":
      case "mouseup":
        if (start && start.kind === "pointer") {
          const button = buttonOf(ev.target);
          start.up = start.button !== null && button === start.button;
        }
        break;
      case "keydown": {
        start = { kind: "key", key: ev.key, button: buttonOf(ev.target) };
        if (ev.key === "Tab") expectFocus({ kind: "tab", ev });
        else focusCause = null;
        break;
      }
      case "focusin": {
        const button = buttonOf(ev.target);
        const cause = focusCause;
        focusCause = null;
        const byPerson = !!cause && hasFocus()
          && (cause.kind === "tab" || (cause.kind === "pointer" && cause.button === button));
        focused = button && byPerson ? { button, cause } : null;
        break;
      }
      case "focusout":
        if (focused && buttonOf(ev.target) === focused.button) focused = null;
        break;
      default:
        break;
    }
  }

  /**
   * Whether a click on `button` (one of ours) may act; consumes the gesture. Returns null when it
   * may, else the reason it may not ("untrusted", "no_gesture", "pointer_elsewhere",
   * "key_elsewhere", "focus_not_given").
   */
  function refusal(click, button) {
    if (!click || click.isTrusted !== true) return "untrusted";
    const s = start;
    start = null;
    if (!s || !button) return "no_gesture";
    if (s.kind === "pointer") return s.button === button && s.up ? null : "pointer_elsewhere";
    if (s.button !== button || !ACTIVATION_KEYS.includes(s.key)) return "key_elsewhere";
    if (!focused || focused.button !== button) return "focus_not_given";
    const c = focused.cause;
    if (c.kind === "tab" && c.ev.defaultPrevented) return "focus_not_given";
    return null;
  }

  return {
    handle,
    refusal,
    allows: (click, button) => refusal(click, button) === null,
  };
}
