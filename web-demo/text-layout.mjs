// Where a text's lines start and how they wrap into rows of a monospace view, kept up to date
// edit by edit, so that a view can find the rows in sight of a 100,000-character text without
// laying the text out: an edit costs O(lines) array work plus the wrapping of the lines it
// touched; finding a row costs O(log lines) once the row counts are summed (O(lines), after an
// edit).

export const isHigh = (code) => code >= 0xd800 && code <= 0xdbff;
export const isLow = (code) => code >= 0xdc00 && code <= 0xdfff;

/**
 * The offsets at which the rows of text[start, end) begin, the first being start, when rows hold
 * cols cells (one per UTF-16 unit): a row that would overflow breaks after its last space, or,
 * with none, at cols, never inside a surrogate pair. count: only how many there are.
 */
function wrap(text, start, end, cols, count) {
  const starts = count ? null : [start];
  let rows = 1;
  for (let row = start; end - row > cols; rows++) {
    let cut = row + cols;
    let space = cut;
    while (space > row && text.charCodeAt(space) !== 32) space--;
    if (space > row) cut = space + 1; // the space ends its row, as in a textarea
    else if (isLow(text.charCodeAt(cut))) cut--;
    starts?.push(cut);
    row = cut;
  }
  return count ? rows : starts;
}

/** The last index of sorted whose value is <= value (sorted[0] <= value). */
function floorIndex(sorted, value) {
  let low = 0;
  let high = sorted.length - 1;
  while (low < high) {
    const middle = (low + high + 1) >> 1;
    if (sorted[middle] <= value) low = middle;
    else high = middle - 1;
  }
  return low;
}

export class TextLayout {
  text = '';
  #starts = [0]; // where each line starts
  #rows = [1]; // how many rows each line wraps into
  #before = null; // rows before each line, and in all at the end; null until asked for
  #cols = 80;

  constructor(text = '', cols = 80) {
    this.#cols = Math.max(1, cols);
    this.replace(0, 0, text);
  }

  get lines() { return this.#starts.length; }
  get cols() { return this.#cols; }
  lineStart(line) { return this.#starts[line]; }
  lineEnd(line) { return line + 1 < this.#starts.length ? this.#starts[line + 1] - 1 : this.text.length; }
  lineAt(offset) { return floorIndex(this.#starts, offset); }

  /** Rewraps every line for rows of cols cells. */
  set cols(cols) {
    cols = Math.max(1, cols);
    if (cols === this.#cols) return;
    this.#cols = cols;
    this.#rows = this.#starts.map((_, line) => this.#rowCount(line));
    this.#before = null;
  }

  #rowCount(line) {
    return wrap(this.text, this.#starts[line], this.lineEnd(line), this.#cols, true);
  }

  /** Where the rows of line start. */
  rowStarts(line) {
    return wrap(this.text, this.#starts[line], this.lineEnd(line), this.#cols, false);
  }

  /** Replaces deleted units at index with inserted. */
  replace(index, deleted, inserted) {
    const first = this.lineAt(index);
    const last = this.lineAt(index + deleted);
    this.text = this.text.slice(0, index) + inserted + this.text.slice(index + deleted);
    const added = [];
    for (let at = inserted.indexOf('\n'); at >= 0; at = inserted.indexOf('\n', at + 1))
      added.push(index + at + 1);
    const shift = inserted.length - deleted;
    const after = this.#starts.slice(last + 1);
    for (let i = 0; i < after.length; i++) after[i] += shift;
    this.#starts = this.#starts.slice(0, first + 1).concat(added, after);
    const rows = [];
    for (let line = first; line <= first + added.length; line++) rows.push(this.#rowCount(line));
    this.#rows = this.#rows.slice(0, first).concat(rows, this.#rows.slice(last + 1));
    this.#before = null;
  }

  #sums() {
    if (!this.#before) {
      const before = new Float64Array(this.#rows.length + 1);
      for (let line = 0; line < this.#rows.length; line++) before[line + 1] = before[line] + this.#rows[line];
      this.#before = before;
    }
    return this.#before;
  }

  get rowCount() { return this.#sums()[this.#rows.length]; }

  /** The line that row (counted from the text's first) is in, and which of its rows it is. */
  rowAt(row) {
    const before = this.#sums();
    const line = floorIndex(before.subarray(0, this.#rows.length), row);
    return { line, index: row - before[line] };
  }

  /** The row (counted from the text's first) a caret at offset is shown in, and that row's
   * bounds: a caret at a wrap is shown at the start of the row after it. */
  locate(offset) {
    const line = this.lineAt(offset);
    const starts = this.rowStarts(line);
    const index = floorIndex(starts, offset);
    return { row: this.#sums()[line] + index, ...this.rowBounds(line, index, starts) };
  }

  /** { start, end, last } of row index of line (its rows' starts, if known): last is the last
   * caret position shown in the row, before its end when it wraps (a caret at a wrap is shown
   * at the start of the next row). */
  rowBounds(line, index, starts = this.rowStarts(line)) {
    const wrapped = index + 1 < starts.length;
    const end = wrapped ? starts[index + 1] : this.lineEnd(line);
    return { start: starts[index], end, last: wrapped ? end - 1 : end };
  }
}
