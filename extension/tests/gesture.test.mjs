// Which clicks on our buttons come from the person (content/gesture.js).
import { test } from "node:test";
import assert from "node:assert/strict";
import { importContent } from "./content-helpers.mjs";

const { createGestureGuard } = await importContent("content/gesture.js");

const B = { name: "our button" };
const B2 = { name: "our other button" };
const OTHER = { name: "a page element" };

function setup({ hasFocus = true } = {}) {
  const timers = [];
  const guard = createGestureGuard({
    buttonOf: (t) => (t === B || t === B2 ? t : null),
    hasFocus: () => hasFocus,
    later: (fn) => timers.push(fn),
  });
  const ev = (type, target, extra = {}) => {
    const e = { type, target, isTrusted: true, defaultPrevented: false, ...extra };
    guard.handle(e);
    return e;
  };
  return {
    guard,
    ev,
    /** The current task ends: timers run. */
    nextTask: () => timers.splice(0).forEach((f) => f()),
    click: (target, extra = {}) => guard.refusal({ type: "click", target, isTrusted: true, detail: 1, ...extra }, target),
    press: (target) => {
      ev("pointerdown", target);
      ev("mousedown", target);
      ev("pointerup", target);
      ev("mouseup", target);
    },
  };
}

test("pointer: press and release on the button, then its click, acts once", () => {
  const s = setup();
  s.press(B);
  assert.equal(s.click(B), null);
  assert.equal(s.click(B), "no_gesture", "one gesture, one action");
});

test("untrusted clicks never act, and untrusted events change nothing", () => {
  const s = setup();
  s.press(B);
  assert.equal(s.click(B, { isTrusted: false }), "untrusted");
  const s2 = setup();
  s2.ev("pointerdown", B, { isTrusted: false });
  s2.ev("pointerup", B, { isTrusted: false });
  assert.equal(s2.click(B), "no_gesture");
});

test("pointer: pressed elsewhere or released elsewhere is refused (label, access key, drag)", () => {
  const s = setup();
  s.press(OTHER); // e.g. a <label for> the page pointed at our button
  assert.equal(s.click(B), "pointer_elsewhere");
  s.ev("pointerdown", B);
  s.ev("pointerup", OTHER); // dragged off
  assert.equal(s.click(B), "pointer_elsewhere");
  s.ev("pointerdown", B);
  s.ev("pointerup", B2);
  assert.equal(s.click(B2), "pointer_elsewhere", "pressed on another of our buttons");
  assert.equal(s.click(B), "no_gesture");
});

test("no gesture seen at all (the page hid it from us): refused", () => {
  const s = setup();
  assert.equal(s.click(B), "no_gesture");
});

test("keyboard: Tab onto the button (default not prevented), then Enter or Space, acts", () => {
  for (const key of ["Enter", " "]) {
    const s = setup();
    s.ev("keydown", OTHER, { key: "Tab" });
    s.ev("focusin", B);
    s.nextTask();
    s.ev("keydown", B, { key });
    assert.equal(s.click(B, { detail: 0 }), null, key);
  }
});

test("keyboard: focus from a page script's focus() does not count", () => {
  const s = setup();
  s.ev("focusin", B); // button.focus() from the page: a trusted focus event, but no user cause
  s.ev("keydown", B, { key: "Enter" });
  assert.equal(s.click(B, { detail: 0 }), "focus_not_given");
});

test("keyboard: a focus() in a timer after a Tab that moved focus elsewhere does not count", () => {
  const s = setup();
  s.ev("keydown", OTHER, { key: "Tab" });
  s.ev("focusin", OTHER); // the Tab's own focus change
  s.nextTask();
  s.ev("focusin", B); // setTimeout(() => button.focus())
  s.ev("keydown", B, { key: "Enter" });
  assert.equal(s.click(B, { detail: 0 }), "focus_not_given");
});

test("keyboard: a Tab that left the page, then focus() later, does not count", () => {
  const s = setup();
  s.ev("keydown", OTHER, { key: "Tab" }); // focus goes to the browser's UI: no focusin here
  s.nextTask();
  s.ev("focusin", B);
  s.ev("keydown", B, { key: "Enter" });
  assert.equal(s.click(B, { detail: 0 }), "focus_not_given");
  // and while the document has no system focus, even in the same task
  const u = setup({ hasFocus: false });
  u.ev("keydown", OTHER, { key: "Tab" });
  u.ev("focusin", B);
  u.ev("keydown", B, { key: "Enter" });
  assert.equal(u.click(B, { detail: 0 }), "focus_not_given");
});

test("keyboard: a Tab whose default the page prevented, to move focus itself, does not count", () => {
  const s = setup();
  const tab = s.ev("keydown", OTHER, { key: "Tab" });
  s.ev("focusin", B); // the page's handler: button.focus(); then event.preventDefault()
  tab.defaultPrevented = true;
  s.nextTask();
  s.ev("keydown", B, { key: "Enter" });
  assert.equal(s.click(B, { detail: 0 }), "focus_not_given");
});

test("keyboard: focus lost and given back by script does not count", () => {
  const s = setup();
  s.ev("keydown", OTHER, { key: "Tab" });
  s.ev("focusin", B);
  s.nextTask();
  s.ev("focusout", B); // button.blur()
  s.ev("focusin", B); // button.focus()
  s.ev("keydown", B, { key: "Enter" });
  assert.equal(s.click(B, { detail: 0 }), "focus_not_given");
});

test("keyboard: focus given by a press on the button counts; on something else it does not", () => {
  const s = setup();
  s.ev("pointerdown", B);
  s.ev("focusin", B);
  s.ev("pointerup", OTHER); // released elsewhere: no click then
  s.nextTask();
  s.ev("keydown", B, { key: " " });
  assert.equal(s.click(B, { detail: 0 }), null);
  const o = setup();
  o.ev("pointerdown", OTHER);
  o.ev("focusin", B); // the page moves focus to our button on its own mousedown
  o.ev("pointerup", OTHER);
  o.nextTask();
  o.ev("keydown", B, { key: "Enter" });
  assert.equal(o.click(B, { detail: 0 }), "focus_not_given");
});

test("keyboard: another key, or a key on another element, is refused", () => {
  const s = setup();
  s.ev("keydown", OTHER, { key: "Tab" });
  s.ev("focusin", B);
  s.nextTask();
  s.ev("keydown", B, { key: "a" });
  assert.equal(s.click(B, { detail: 0 }), "key_elsewhere");
  s.ev("keydown", OTHER, { key: "Enter" }); // Enter in a search box; the page then clicks us
  assert.equal(s.click(B, { detail: 0 }), "key_elsewhere");
});

test("a focus() pending when a key other than Tab is pressed does not count", () => {
  const s = setup();
  s.ev("keydown", OTHER, { key: "Tab" });
  s.ev("keydown", OTHER, { key: "Enter" }); // same task, before any focus change
  s.ev("focusin", B);
  s.ev("keydown", B, { key: "Enter" });
  assert.equal(s.click(B, { detail: 0 }), "focus_not_given");
});
