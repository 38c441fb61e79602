// Session Drop content script: each button is bound, when it is created, to the row, the cell and
// the session reference it was made for. A click sends the bound reference; the page's DOM at
// click time can only veto, never choose.
//
// A click on a bound button is refused ("stale") unless, at click time:
//  1. the button is still a child of the cell we put it in;
//  2. that cell is still a child of the bound row;
//  3. the row is still connected and still in the table it was decorated in (not detached, not
//     moved to another table);
//  4. the element just before the button is the one that was just before it when we inserted it
//     (null in a cell we created): nothing was put in front of it, and nothing in front of it was
//     taken away;
//  5. the row still shows the bound session reference (read again now, same kind and value) and,
//     for a hash row, the same numeric row ID it showed at decoration (or still none).
// Elements the page makes (even copies of ours with our attributes) are never bound.

/** Bindings of one content-script instance: button -> { row, table, cell, prev, ref, rowId, key }. */
export function createBindings() {
  const map = new WeakMap();
  let seq = 0;

  return {
    /**
     * Records where `button` was just put (hot path: decorating 10,000 rows). `prev`: the element
     * before it (null in our own cell); `ref`: `{ kind, value }`, kept as given (not to be mutated);
     * `rowId`: the numeric ID a hash row shows next to its hash (dom.readRowId), or null.
     */
    bind(button, { row, table, cell, prev, ref, rowId = null }) {
      const b = new Binding(row, table, cell, prev, ref, rowId, ++seq);
      map.set(button, b);
      return b;
    },
    get: (button) => map.get(button),
    has: (button) => !!button && map.has(button),
    unbind: (button) => map.delete(button),
    /**
     * Why a click on `button` must not act (see the rules above), or null when it may.
     * `readRefNow(row)` reads the row's session reference from the DOM now (or null), with the
     * row ID it shows as `rowId` (absent or null when none).
     */
    staleReason(button, readRefNow) {
      const b = map.get(button);
      if (!b) return "not_ours";
      if (button.parentNode !== b.cell) return "button_moved";
      if (b.cell.parentNode !== b.row) return "cell_moved";
      if (!b.row.isConnected) return "row_detached";
      if (b.row.closest("table") !== b.table) return "row_moved";
      if ((button.previousElementSibling || null) !== b.prev) return "covered";
      const now = readRefNow(b.row);
      if (!now || now.kind !== b.ref.kind || now.value !== b.ref.value) return "ref_changed";
      if ((now.rowId ?? null) !== b.rowId) return "ref_changed";
      return null;
    },
  };
}

class Binding {
  constructor(row, table, cell, prev, ref, rowId, n) {
    this.row = row;
    this.table = table;
    this.cell = cell;
    this.prev = prev || null;
    this.ref = ref;
    this.rowId = rowId || null;
    this.n = n;
  }

  /** Opaque key of this binding, for the background's logs (`binding.rowKey`). */
  get key() {
    return `r${this.n}`;
  }
}
