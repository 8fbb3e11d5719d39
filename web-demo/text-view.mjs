// <text-view>: a plain-text editor that lays out only the rows in sight. A textarea holding
// 100,000 characters costs Chromium 6-20 ms of layout at every keystroke and ~27 ms at every
// remote edit shown (measured, docs/decisions.md); this view's DOM is the ~50 rows on screen,
// whatever the text's length. Its text wraps into rows of monospace cells (TextLayout); keys,
// typing, IME composition and the clipboard reach it through a hidden textarea at the caret,
// which never holds more than the selection (for the clipboard) or the composition. It draws
// its own caret and selection.
//
// Like a textarea it has value, selectionStart, selectionEnd, setSelectionRange() and focus();
// edits the user makes are reported as 'edit' events ({ index, deleted, inserted, cause }: the
// event that made it), and edits from elsewhere come in through replace(), which moves the
// caret and selection as the text around them moved.
import { EditHistory } from './edit-history.mjs';
import { isHigh, isLow, TextLayout } from './text-layout.mjs';

const ROW_PX = 20;
const PAD_PX = 6;
const OVERSCAN = 8; // rows drawn above and below those in sight, for smooth scrolling
const ascii = /^[\x20-\x7e]*$/;
const wordChar = /[\p{L}\p{N}_]/u;

/** Where a caret at position goes when length units are inserted (or, negative, deleted) at index. */
function moved(position, index, length) {
  if (length >= 0) return index < position ? position + length : position;
  return position <= index ? position : Math.max(index, position + length);
}

/** The caret one character (a whole surrogate pair) from offset in direction (-1 or 1). */
function charStep(text, offset, direction) {
  if (direction < 0) return offset - (offset > 1 && isLow(text.charCodeAt(offset - 1)) && isHigh(text.charCodeAt(offset - 2)) ? 2 : 1);
  return offset + (isHigh(text.charCodeAt(offset)) && isLow(text.charCodeAt(offset + 1)) ? 2 : 1);
}

/** The caret a word from offset in direction, as Ctrl+arrow moves in a textarea: past what is
 * not a word, then past the word. */
function wordStep(text, offset, direction) {
  const at = direction < 0 ? (i) => text[i - 1] : (i) => text[i];
  const inBounds = (i) => (direction < 0 ? i > 0 : i < text.length);
  while (inBounds(offset) && !wordChar.test(at(offset))) offset += direction;
  while (inBounds(offset) && wordChar.test(at(offset))) offset += direction;
  return offset;
}

/** A pool of children of parent with class className, made as needed, hidden when not used. */
function pool(parent, className) {
  const items = [];
  return {
    items,
    /** The first count items, shown; the rest hidden. */
    take(count) {
      while (items.length < count) {
        const item = parent.appendChild(document.createElement('div'));
        item.className = className;
        items.push(item);
      }
      items.forEach((item, i) => {
        if (item.hidden !== (i >= count)) item.hidden = i >= count;
      });
      return items.slice(0, count);
    },
  };
}

/** Sets style property name of element to value only when it changes (each write can cost a
 * style recalculation). */
function setStyle(element, name, value) {
  if (element.style[name] !== value) element.style[name] = value;
}

export class TextView extends HTMLElement {
  #layout = new TextLayout();
  #anchor = 0; // the selection is from anchor to head; the caret is at head
  #head = 0;
  #goal = null; // the column up and down keep to, while they repeat
  #history = new EditHistory(); // this user's edits, for undo and redo
  #scroller;
  #sizer;
  #rowsLayer; // holds the rows drawn, placed at the first's
  #rows;
  #selection;
  #caret;
  #input;
  #placeholder;
  #cell = 8; // width of a cell, in px, measured once connected
  #height = 0; // of the scroller's view, in px
  #scrollTop = 0;
  #shown = { first: 0, bounds: [] }; // the rows drawn: the first's number, and each's { start, end }
  #frame = 0; // a scheduled render
  #dragging = false;
  #composing = false;

  constructor() {
    super();
    // Built apart and put in at connectedCallback: an element that gains children in its
    // constructor fails document.createElement('text-view') (NotSupportedError).
    this.#scroller = document.createElement('div');
    this.#scroller.className = 'tv-scroller';
    this.#sizer = this.#scroller.appendChild(document.createElement('div'));
    this.#sizer.className = 'tv-sizer';
    this.#selection = pool(this.#sizer, 'tv-selection');
    const rows = this.#sizer.appendChild(document.createElement('div'));
    rows.className = 'tv-rows';
    this.#rows = pool(rows, 'tv-row');
    this.#rowsLayer = rows;
    this.#caret = this.#sizer.appendChild(document.createElement('div'));
    this.#caret.className = 'tv-caret';
    this.#placeholder = this.#sizer.appendChild(document.createElement('div'));
    this.#placeholder.className = 'tv-placeholder';
    this.#input = this.#sizer.appendChild(document.createElement('textarea'));
    this.#input.className = 'tv-input';
    for (const [name, value] of [['spellcheck', 'false'], ['autocomplete', 'off'], ['autocapitalize', 'off'],
                                 ['aria-multiline', 'true'], ['wrap', 'off']])
      this.#input.setAttribute(name, value);
    this.#listen();
  }

  connectedCallback() {
    if (this.#scroller.parentNode !== this) this.appendChild(this.#scroller);
    this.disabled = this.hasAttribute('disabled');
    this.#placeholder.textContent = this.getAttribute('placeholder') ?? '';
    this.#input.setAttribute('aria-label', this.getAttribute('aria-label') ?? this.getAttribute('placeholder') ?? 'text');
    const probe = this.#rowsLayer.appendChild(document.createElement('span'));
    probe.className = 'tv-probe';
    probe.textContent = 'x'.repeat(100);
    this.#cell = probe.getBoundingClientRect().width / 100 || 8;
    probe.remove();
    new ResizeObserver(() => this.#resized()).observe(this.#scroller);
    this.#resized();
  }

  // ---- the textarea's interface -------------------------------------------------------------
  get value() { return this.#layout.text; }
  set value(text) {
    this.#layout = new TextLayout(text, this.#layout.cols);
    this.#anchor = this.#head = Math.min(this.#head, text.length);
    this.#goal = null;
    this.#history = new EditHistory();
    this.#schedule();
  }
  get selectionStart() { return Math.min(this.#anchor, this.#head); }
  get selectionEnd() { return Math.max(this.#anchor, this.#head); }
  get disabled() { return this.#input.disabled; }
  set disabled(disabled) {
    this.#input.disabled = disabled;
    this.toggleAttribute('disabled', disabled);
  }
  setSelectionRange(start, end) {
    this.#goal = null; // up and down go on from the new caret's column, not an older one
    this.#select(start, end);
    this.#reveal();
  }
  focus(options) { this.#input.focus({ preventScroll: true, ...options }); }

  /** An edit made elsewhere: deleted units at index replaced with inserted; the caret and the
   * selection move with the text around them; drawn at the next frame. */
  replace(index, deleted, inserted) {
    this.#layout.replace(index, deleted, inserted);
    this.#history.transform(index, deleted, inserted.length);
    for (const [at, length] of [[index, -deleted], [index, inserted.length]]) {
      if (length === 0) continue;
      this.#anchor = moved(this.#anchor, at, length);
      this.#head = moved(this.#head, at, length);
    }
    this.#schedule();
  }

  // ---- edits and moves ----------------------------------------------------------------------
  #select(anchor, head = anchor) {
    const clamp = (offset) => Math.max(0, Math.min(offset, this.#layout.text.length));
    this.#anchor = clamp(anchor);
    this.#head = clamp(head);
    this.#syncInput();
  }

  /** Replaces the selection (or deleted units at index) with inserted, as the user's edit
   * cause; kept for undo unless it is an undo or redo itself. */
  #edit(inserted, cause, index = this.selectionStart, deleted = this.selectionEnd - index, kept = true) {
    if (deleted === 0 && inserted === '') return;
    if (kept) {
      const removed = this.#layout.text.slice(index, index + deleted);
      this.#history.record(index, removed, inserted, cause?.timeStamp ?? performance.now());
    }
    this.#layout.replace(index, deleted, inserted);
    this.#anchor = this.#head = index + inserted.length;
    this.#goal = null;
    this.#syncInput();
    this.#reveal();
    this.dispatchEvent(Object.assign(new Event('edit'), { index, deleted, inserted, cause }));
  }

  /** Takes back this user's latest edit (back: undo) or does again the latest taken back. */
  #undo(back, cause) {
    const edit = back ? this.#history.undo() : this.#history.redo();
    if (edit) this.#edit(edit.inserted, cause, edit.index, edit.deleted, false);
  }

  /** Deletes the selection, or from the caret to to. */
  #deleteTo(to, cause) {
    if (this.#anchor !== this.#head) return this.#edit('', cause);
    this.#edit('', cause, Math.min(to, this.#head), Math.abs(to - this.#head));
  }

  /** Moves the caret to offset, extending the selection or not. */
  #moveTo(offset, extend) {
    this.#select(extend ? this.#anchor : offset, offset);
    this.#reveal();
  }

  /** The caret rows rows below (above, negative) head, in the column up and down keep to. */
  #rowStep(rows) {
    const layout = this.#layout;
    const here = layout.locate(this.#head);
    this.#goal ??= this.#head - here.start;
    const row = here.row + rows;
    if (row < 0) return 0;
    if (row >= layout.rowCount) return layout.text.length;
    const { line, index } = layout.rowAt(row);
    const { start, last } = layout.rowBounds(line, index);
    let offset = Math.min(start + this.#goal, last);
    if (isLow(layout.text.charCodeAt(offset))) offset--;
    return offset;
  }

  // ---- events -------------------------------------------------------------------------------
  #listen() {
    const input = this.#input;
    input.addEventListener('keydown', (event) => this.#key(event));
    input.addEventListener('beforeinput', (event) => this.#beforeInput(event));
    input.addEventListener('compositionstart', () => {
      this.#composing = true;
      if (this.#anchor !== this.#head) this.#edit('', null);
      input.value = '';
      this.classList.add('tv-composing');
    });
    input.addEventListener('compositionend', (event) => {
      this.#composing = false;
      this.classList.remove('tv-composing');
      input.value = '';
      this.#edit(event.data ?? '', event);
    });
    input.addEventListener('copy', (event) => this.#copy(event));
    input.addEventListener('cut', (event) => {
      this.#copy(event);
      this.#edit('', event);
    });
    input.addEventListener('paste', (event) => {
      event.preventDefault();
      this.#edit(event.clipboardData.getData('text/plain').replace(/\r\n?/g, '\n'), event);
    });
    input.addEventListener('focus', () => this.classList.add('tv-focused'));
    input.addEventListener('blur', () => this.classList.remove('tv-focused'));
    this.#scroller.addEventListener('scroll', () => {
      this.#scrollTop = this.#scroller.scrollTop;
      this.#render();
    });
    this.#scroller.addEventListener('mousedown', (event) => this.#mouseDown(event));
    window.addEventListener('mousemove', (event) => {
      if (this.#dragging) this.#moveTo(this.#offsetAt(event), true);
    });
    window.addEventListener('mouseup', () => { this.#dragging = false; });
  }

  #key(event) {
    if (this.#composing || event.isComposing || event.keyCode === 229) return;
    const text = this.#layout.text;
    const { ctrlKey: ctrl, shiftKey: shift, altKey: alt, metaKey: meta } = event;
    const direction = { ArrowLeft: -1, ArrowRight: 1, Backspace: -1, Delete: 1 }[event.key];
    let handled = true;
    switch (event.key) {
      case 'ArrowLeft':
      case 'ArrowRight':
        if (alt || meta) { handled = false; break; }
        if (!shift && !ctrl && this.#anchor !== this.#head) {
          this.#moveTo(direction < 0 ? this.selectionStart : this.selectionEnd, false);
        } else {
          this.#moveTo(ctrl ? wordStep(text, this.#head, direction) : charStep(text, this.#head, direction), shift);
        }
        this.#goal = null;
        break;
      case 'ArrowUp':
      case 'ArrowDown':
      case 'PageUp':
      case 'PageDown': {
        const page = Math.max(1, Math.floor(this.#height / ROW_PX) - 1);
        const rows = { ArrowUp: -1, ArrowDown: 1, PageUp: -page, PageDown: page }[event.key];
        this.#moveTo(this.#rowStep(rows), shift); // keeps the column it set, for the next
        break;
      }
      case 'Home':
      case 'End': {
        this.#goal = null;
        if (ctrl) { this.#moveTo(event.key === 'Home' ? 0 : text.length, shift); break; }
        const { start, last } = this.#layout.locate(this.#head);
        this.#moveTo(event.key === 'Home' ? start : last, shift);
        break;
      }
      case 'Backspace':
      case 'Delete':
        if (alt || meta) { handled = false; break; }
        this.#deleteTo(ctrl ? wordStep(text, this.#head, direction)
                            : charStep(text, this.#head, direction), event);
        break;
      case 'Enter':
        this.#edit('\n', event);
        break;
      case 'a':
      case 'A':
        if (!ctrl || shift || alt) { handled = false; break; }
        this.#select(0, text.length);
        this.#schedule();
        break;
      case 'z':
      case 'Z':
      case 'y':
      case 'Y': // Ctrl+Z undoes; Ctrl+Shift+Z and Ctrl+Y redo
        if (!ctrl || alt) { handled = false; break; }
        this.#undo(event.key.toLowerCase() === 'z' && !shift, event);
        break;
      default:
        handled = false;
    }
    if (handled) event.preventDefault();
  }

  #beforeInput(event) {
    if (event.inputType === 'insertCompositionText') return; // not cancellable; compositionend inserts
    event.preventDefault();
    const text = this.#layout.text;
    const data = event.data ?? event.dataTransfer?.getData('text/plain') ?? '';
    switch (event.inputType) {
      case 'insertText':
      case 'insertReplacementText':
      case 'insertFromDrop':
      case 'insertFromPaste':
        this.#edit(data.replace(/\r\n?/g, '\n'), event);
        break;
      case 'insertLineBreak':
      case 'insertParagraph':
        this.#edit('\n', event);
        break;
      case 'deleteContentBackward':
      case 'deleteContentForward': {
        const direction = event.inputType.endsWith('Backward') ? -1 : 1;
        this.#deleteTo(charStep(text, this.#head, direction), event);
        break;
      }
      case 'deleteWordBackward':
      case 'deleteWordForward': {
        const direction = event.inputType.endsWith('Backward') ? -1 : 1;
        this.#deleteTo(wordStep(text, this.#head, direction), event);
        break;
      }
      case 'deleteByCut':
      case 'deleteContent':
        this.#edit('', event);
        break;
      case 'historyUndo':
      case 'historyRedo':
        this.#undo(event.inputType === 'historyUndo', event);
        break;
      default: // formatting: nothing
    }
  }

  /** The selection, for the clipboard. */
  #copy(event) {
    event.preventDefault();
    event.clipboardData.setData('text/plain', this.#layout.text.slice(this.selectionStart, this.selectionEnd));
  }

  /** The hidden textarea holds the selected text, selected, so that the browser offers copy
   * and cut (its own menus) when there is a selection. */
  #syncInput() {
    if (this.#composing) return;
    const selected = this.#layout.text.slice(this.selectionStart, this.selectionEnd);
    if (this.#input.value !== selected) this.#input.value = selected;
    if (selected) this.#input.select();
  }

  #mouseDown(event) {
    if (event.button !== 0) return;
    if (event.target === this.#scroller && event.offsetX >= this.#scroller.clientWidth) return; // the scroll bar
    event.preventDefault(); // the textarea keeps the focus, and the browser selects nothing
    this.focus();
    const offset = this.#offsetAt(event);
    if (event.detail === 2) {
      const text = this.#layout.text;
      this.#select(wordStep(text, Math.min(offset + 1, text.length), -1), wordStep(text, offset, 1));
    } else if (event.detail >= 3) {
      const line = this.#layout.lineAt(offset);
      this.#select(this.#layout.lineStart(line), Math.min(this.#layout.lineEnd(line) + 1, this.#layout.text.length));
    } else {
      this.#select(event.shiftKey ? this.#anchor : offset, offset);
      this.#dragging = true;
    }
    this.#goal = null;
    this.#reveal();
  }

  /** The offset nearest the pointer of a mouse event. */
  #offsetAt(event) {
    const box = this.#sizer.getBoundingClientRect();
    const layout = this.#layout;
    const row = Math.max(0, Math.min(Math.floor((event.clientY - box.top) / ROW_PX), layout.rowCount - 1));
    const { line, index } = layout.rowAt(row);
    const { start, end, last } = layout.rowBounds(line, index);
    const k = row - this.#shown.first;
    const text = layout.text.slice(start, end);
    const x = event.clientX - box.left - PAD_PX;
    let offset;
    if (!ascii.test(text) && k >= 0 && k < this.#shown.bounds.length && document.caretRangeFromPoint) {
      const range = document.caretRangeFromPoint(event.clientX, box.top + row * ROW_PX + ROW_PX / 2);
      const node = this.#rows.items[k].firstChild;
      offset = range?.startContainer === node ? start + range.startOffset : x < 0 ? start : last;
    } else {
      offset = start + Math.round(Math.max(0, x) / this.#cell);
    }
    offset = Math.min(offset, last);
    return isLow(layout.text.charCodeAt(offset)) ? offset - 1 : offset;
  }

  // ---- drawing ------------------------------------------------------------------------------
  #resized() {
    this.#height = this.#scroller.clientHeight;
    this.#layout.cols = Math.floor((this.#scroller.clientWidth - 2 * PAD_PX) / this.#cell);
    this.#render();
  }

  /** Scrolls the caret into sight, and draws. */
  #reveal() {
    // The caret's row with the padding around the rows: the first and last rows show theirs,
    // and a row below the view is scrolled to whole (not with its last PAD_PX px hidden).
    const top = this.#layout.locate(this.#head).row * ROW_PX;
    const bottom = top + ROW_PX + 2 * PAD_PX;
    const target = top < this.#scrollTop ? top
      : bottom > this.#scrollTop + this.#height ? bottom - this.#height : null;
    if (target !== null) {
      setStyle(this.#sizer, 'height', `${this.#layout.rowCount * ROW_PX + 2 * PAD_PX}px`);
      this.#scroller.scrollTop = target;
      this.#scrollTop = this.#scroller.scrollTop;
    }
    this.#render();
  }

  #schedule() {
    this.#frame ||= requestAnimationFrame(() => this.#render());
  }

  #render() {
    cancelAnimationFrame(this.#frame);
    this.#frame = 0;
    const layout = this.#layout;
    const rowCount = layout.rowCount;
    setStyle(this.#sizer, 'height', `${rowCount * ROW_PX + 2 * PAD_PX}px`);
    this.#placeholder.hidden = layout.text.length > 0;
    const first = Math.max(0, Math.floor(this.#scrollTop / ROW_PX) - OVERSCAN);
    const last = Math.min(rowCount, Math.ceil((this.#scrollTop + this.#height) / ROW_PX) + OVERSCAN);
    const bounds = [];
    if (first < last) {
      let { line, index } = layout.rowAt(first);
      let starts = layout.rowStarts(line);
      for (let row = first; row < last; row++) {
        bounds.push(layout.rowBounds(line, index, starts));
        if (++index === starts.length && ++line < layout.lines) {
          starts = layout.rowStarts(line);
          index = 0;
        }
      }
    }
    this.#shown = { first, bounds };
    const rows = this.#rows.take(bounds.length);
    bounds.forEach(({ start, end }, k) => {
      const text = layout.text.slice(start, end);
      if (rows[k].textContent !== text) rows[k].textContent = text;
    });
    setStyle(this.#rowsLayer, 'transform', `translateY(${first * ROW_PX}px)`);
    this.#drawSelection();
  }

  /** px from a drawn row's left to the caret at offset in it (k: its index among the drawn). */
  #x(k, offset) {
    const { start } = this.#shown.bounds[k];
    const before = this.#layout.text.slice(start, offset);
    if (ascii.test(before)) return before.length * this.#cell;
    const range = document.createRange();
    range.setStart(this.#rows.items[k].firstChild, offset - start);
    return range.getBoundingClientRect().left - this.#rows.items[k].getBoundingClientRect().left;
  }

  #drawSelection() {
    const { first, bounds } = this.#shown;
    const text = this.#layout.text;
    const from = this.selectionStart;
    const to = this.selectionEnd;
    const rects = [];
    if (from !== to) {
      bounds.forEach(({ start, end }, k) => {
        const a = Math.max(from, start);
        const b = Math.min(to, end);
        const newline = from <= end && to > end && text[end] === '\n'; // shown as half a cell
        if (b < a || (b === a && !newline)) return;
        const left = this.#x(k, a);
        rects.push([first + k, left, this.#x(k, b) - left + (newline ? this.#cell / 2 : 0)]);
      });
    }
    this.#selection.take(rects.length).forEach((rect, i) => {
      const [row, left, width] = rects[i];
      setStyle(rect, 'transform', `translate(${PAD_PX + left}px, ${PAD_PX + row * ROW_PX}px)`);
      setStyle(rect, 'width', `${width}px`);
    });
    // The caret's row among those drawn (locate() would wrap its whole line again).
    const k = bounds.findIndex(({ start, last }) => start <= this.#head && this.#head <= last);
    if (this.#caret.hidden === (k >= 0)) this.#caret.hidden = k < 0;
    if (k < 0) return;
    const position = `translate(${PAD_PX + this.#x(k, this.#head)}px, ${PAD_PX + (first + k) * ROW_PX}px)`;
    if (this.#caret.style.transform !== position) {
      this.#caret.style.transform = position;
      this.#input.style.transform = position;
      // Solid while it moves: another animation of the same blink starts it again.
      this.#caret.classList.toggle('tv-again');
    }
  }
}

customElements.define('text-view', TextView);
