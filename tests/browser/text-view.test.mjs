// The web demo's <text-view> (web-demo/text-view.mjs, text-layout.mjs, edit-history.mjs) by itself in Chromium,
// driven as a user would (Playwright's keyboard and mouse, CDP for IME composition, clipboard
// events on its hidden textarea): typing at the caret and the edit events it reports; the keys
// it handles (by character, word, row keeping the column, line, text; selection with Shift;
// Backspace, Delete, Enter, Ctrl+A), never splitting a surrogate pair; rows wrapped after the
// last space that fits, within the element; only the rows in sight drawn for a 100,000-
// character text; remote edits (replace()) moving the caret and selection; undo and redo of
// the user's own edits, moved by remote ones; clicks, Shift+click,
// drags and double-clicks; IME composition; copy, cut and paste. No test may leave page errors.
import assert from 'node:assert/strict';
import { after, afterEach, test } from 'node:test';
import { launch } from './chromium.mjs';

const browser = await launch();
after(() => browser.close());
afterEach(() => assert.deepEqual(browser.pageErrors, []));

/**
 * A page holding a 400x300 <text-view> (made with document.createElement, after its module
 * and the demo's style sheet have loaded) whose value is value, as window.view; its edit
 * events are collected in window.edits ({ index, deleted, inserted, cause: the cause's type });
 * window.tv has helpers for what it draws. Frames have passed: the view is drawn.
 */
async function newView(value = '') {
  const page = await browser.newPage();
  await page.setViewportSize({ width: 800, height: 600 });
  await page.evaluate(async (value) => {
    const link = document.head.appendChild(document.createElement('link'));
    link.rel = 'stylesheet';
    link.href = '/web-demo/style.css';
    await new Promise((resolve, reject) => {
      link.onload = resolve;
      link.onerror = () => reject(new Error('style.css did not load'));
    });
    await import('/web-demo/text-view.mjs');
    const view = document.createElement('text-view');
    view.style.cssText = 'width: 400px; height: 300px; margin: 20px';
    document.body.append(view);
    view.value = value;
    window.view = view;
    window.edits = [];
    view.addEventListener('edit', ({ index, deleted, inserted, cause }) => {
      edits.push({ index, deleted, inserted, cause: cause?.type ?? null });
    });
    window.twoFrames = async () => {
      for (let i = 0; i < 2; i++) await new Promise((resolve) => requestAnimationFrame(() => resolve()));
    };
    const scroller = view.querySelector('.tv-scroller');
    const rowsLayer = view.querySelector('.tv-rows');
    const probe = rowsLayer.appendChild(Object.assign(document.createElement('span'),
      { className: 'tv-probe', textContent: 'x'.repeat(100) }));
    const cell = probe.getBoundingClientRect().width / 100;
    probe.remove();
    const shown = (selector) => [...view.querySelectorAll(selector)].filter((element) => !element.hidden);
    window.tv = {
      cell,
      scroller,
      input: view.querySelector('.tv-input'),
      /** The cells a row holds, as the view computes them. */
      cols: () => Math.floor((scroller.clientWidth - 12) / cell),
      rows: () => shown('.tv-row'),
      texts: () => shown('.tv-row').map((row) => row.textContent),
      /** Where the caret is drawn: its row (from the text's first) and x (px from the rows'
       * left), or null if it is not drawn. */
      caret() {
        const caret = view.querySelector('.tv-caret');
        if (caret.hidden) return null;
        const box = caret.getBoundingClientRect();
        const sizer = view.querySelector('.tv-sizer').getBoundingClientRect();
        return { row: Math.round((box.top - sizer.top - 6) / 20), x: box.left + 1 - sizer.left - 6 };
      },
      /** The selection's rectangles drawn: [row, left, width] in px. */
      selection() {
        const sizer = view.querySelector('.tv-sizer').getBoundingClientRect();
        return shown('.tv-selection').map((rect) => {
          const box = rect.getBoundingClientRect();
          return [Math.round((box.top - sizer.top - 6) / 20), box.left - sizer.left - 6, box.width];
        });
      },
      /** The client point in the middle of cell col of row (both from the first drawn). */
      point(row, col) {
        const box = shown('.tv-row')[row].getBoundingClientRect();
        return { x: box.left + col * cell, y: box.top + 10 };
      },
    };
    await twoFrames();
  }, value);
  return page;
}

/** The view's value and selection. */
const state = (page) => page.evaluate(() => ({
  value: view.value, start: view.selectionStart, end: view.selectionEnd,
}));

/** The selection after pressing keys in turn. */
async function press(page, ...keys) {
  for (const key of keys) await page.keyboard.press(key);
  return page.evaluate(() => [view.selectionStart, view.selectionEnd]);
}

/** Sets the selection (the caret, if end is left out). */
const select = (page, start, end = start) =>
  page.evaluate(([start, end]) => view.setSelectionRange(start, end), [start, end]);

const takeEdits = (page) => page.evaluate(() => edits.splice(0));

test('typing after a click inserts at the caret, one edit event per character', async () => {
  const page = await newView('hello world');
  await page.click('text-view'); // below the only row: the caret goes to the end of the text
  assert.equal(await page.evaluate(() => document.activeElement === tv.input), true);
  assert.equal(await page.evaluate(() => view.classList.contains('tv-focused')), true);
  await page.keyboard.type(' again');
  assert.deepEqual(await takeEdits(page), [...' again'].map((inserted, i) => (
    { index: 11 + i, deleted: 0, inserted, cause: 'beforeinput' })));
  assert.deepEqual(await state(page), { value: 'hello world again', start: 17, end: 17 });
  await select(page, 5);
  await page.keyboard.type(',');
  assert.deepEqual(await takeEdits(page), [{ index: 5, deleted: 0, inserted: ',', cause: 'beforeinput' }]);
  assert.deepEqual(await state(page), { value: 'hello, world again', start: 6, end: 6 });
  // Drawn: the row's new text, the caret after the comma.
  const drawn = await page.evaluate(() => ({ texts: tv.texts(), caret: tv.caret(), cell: tv.cell }));
  assert.deepEqual(drawn.texts, ['hello, world again']);
  assert.equal(drawn.caret.row, 0);
  assert.ok(Math.abs(drawn.caret.x - 6 * drawn.cell) < 0.5, `caret at ${drawn.caret.x}px`);
  await page.close();
});

test('keys move the caret, extend the selection and edit as in a textarea', async () => {
  const page = await newView('abc def\nxy\nlonger line here');
  // Offsets: 'abc def' 0-7, '\n' 7, 'xy' 8-10, '\n' 10, 'longer line here' 11-27.
  await page.click('text-view');
  await select(page, 0);
  assert.deepEqual(await press(page, 'ArrowRight', 'ArrowRight'), [2, 2]);
  assert.deepEqual(await press(page, 'ArrowLeft'), [1, 1]);
  assert.deepEqual(await press(page, 'End'), [7, 7]);
  assert.deepEqual(await press(page, 'Home'), [0, 0]);
  assert.deepEqual(await press(page, 'ArrowLeft'), [0, 0]); // nothing before the start
  assert.deepEqual(await press(page, 'Control+End'), [27, 27]);
  assert.deepEqual(await press(page, 'ArrowRight'), [27, 27]);
  assert.deepEqual(await press(page, 'Control+Home'), [0, 0]);
  // Up and down keep the column (6) across the shorter line between.
  await select(page, 6);
  assert.deepEqual(await press(page, 'ArrowDown'), [10, 10]); // the end of 'xy'
  assert.deepEqual(await press(page, 'ArrowDown'), [17, 17]); // column 6 of the third line
  assert.deepEqual(await press(page, 'ArrowUp'), [10, 10]);
  assert.deepEqual(await press(page, 'ArrowUp'), [6, 6]);
  assert.deepEqual(await press(page, 'ArrowUp'), [0, 0]); // above the first row: the start
  assert.deepEqual(await press(page, 'Control+End', 'ArrowDown'), [27, 27]);
  // Shift extends from the anchor, either way; an arrow without it collapses the selection.
  await select(page, 4);
  assert.deepEqual(await press(page, 'Shift+ArrowRight', 'Shift+ArrowRight', 'Shift+ArrowRight'), [4, 7]);
  assert.deepEqual(await press(page, 'Shift+ArrowDown'), [4, 10]);
  assert.deepEqual(await press(page, 'Shift+ArrowUp', 'Shift+Home'), [0, 4]);
  assert.deepEqual(await press(page, 'ArrowRight'), [4, 4]);
  assert.deepEqual(await press(page, 'Shift+End'), [4, 7]);
  assert.deepEqual(await press(page, 'ArrowLeft'), [4, 4]);
  assert.deepEqual(await press(page, 'Control+Shift+ArrowRight'), [4, 7]); // a word
  assert.deepEqual(await takeEdits(page), []); // moving edits nothing
  // The selection is drawn: 'def', three cells from column 4 of row 0.
  const { rects, cell } = await page.evaluate(() => ({ rects: tv.selection(), cell: tv.cell }));
  assert.equal(rects.length, 1);
  assert.equal(rects[0][0], 0);
  assert.ok(Math.abs(rects[0][1] - 4 * cell) < 0.5 && Math.abs(rects[0][2] - 3 * cell) < 0.5,
            `selection drawn at ${rects[0]}`);
  // Typing replaces the selection.
  await page.keyboard.type('X');
  assert.deepEqual(await takeEdits(page), [{ index: 4, deleted: 3, inserted: 'X', cause: 'beforeinput' }]);
  assert.deepEqual(await state(page), { value: 'abc X\nxy\nlonger line here', start: 5, end: 5 });
  // Backspace and Delete: a character, or the selection.
  await page.keyboard.press('Backspace');
  await page.keyboard.press('Home');
  await page.keyboard.press('Delete');
  assert.deepEqual(await takeEdits(page), [
    { index: 4, deleted: 1, inserted: '', cause: 'keydown' },
    { index: 0, deleted: 1, inserted: '', cause: 'keydown' },
  ]);
  assert.deepEqual(await state(page), { value: 'bc \nxy\nlonger line here', start: 0, end: 0 });
  await select(page, 11, 13); // 'er' of 'longer'
  await page.keyboard.press('Backspace');
  assert.deepEqual(await takeEdits(page), [{ index: 11, deleted: 2, inserted: '', cause: 'keydown' }]);
  assert.deepEqual(await state(page), { value: 'bc \nxy\nlong line here', start: 11, end: 11 });
  // Control+Backspace and Control+Delete: a word (and what is not a word before it).
  await page.keyboard.press('Control+End');
  await page.keyboard.press('Control+Backspace');
  await select(page, 7);
  await page.keyboard.press('Control+Delete');
  assert.deepEqual(await takeEdits(page), [
    { index: 17, deleted: 4, inserted: '', cause: 'keydown' },
    { index: 7, deleted: 4, inserted: '', cause: 'keydown' },
  ]);
  assert.deepEqual(await state(page), { value: 'bc \nxy\n line ', start: 7, end: 7 });
  await page.keyboard.press('Control+Backspace'); // back over the '\n', then the word 'xy'
  assert.deepEqual(await state(page), { value: 'bc \n line ', start: 4, end: 4 });
  // Enter inserts '\n'.
  await page.keyboard.press('Enter');
  assert.deepEqual(await takeEdits(page), [
    { index: 4, deleted: 3, inserted: '', cause: 'keydown' },
    { index: 4, deleted: 0, inserted: '\n', cause: 'keydown' },
  ]);
  assert.deepEqual(await state(page), { value: 'bc \n\n line ', start: 5, end: 5 });
  // Control+A selects everything; typing replaces it.
  assert.deepEqual(await press(page, 'Control+A'), [0, 11]);
  await page.keyboard.type('z');
  assert.deepEqual(await takeEdits(page), [{ index: 0, deleted: 11, inserted: 'z', cause: 'beforeinput' }]);
  assert.deepEqual(await state(page), { value: 'z', start: 1, end: 1 });
  await page.keyboard.press('Enter');
  assert.deepEqual(await takeEdits(page), [{ index: 1, deleted: 0, inserted: '\n', cause: 'keydown' }]);
  assert.deepEqual(await state(page), { value: 'z\n', start: 2, end: 2 });
  await page.close();
});

test('arrows, up and down, Shift and Backspace never split a surrogate pair', async () => {
  // 'a' 0, '😀' 1-2, 'b' 3, 'c' 4, '\n' 5, 'abc' 6-9, '\n' 9, '😀😀' 10-13.
  const page = await newView('a😀bc\nabc\n😀😀');
  await page.click('text-view');
  await select(page, 1);
  assert.deepEqual(await press(page, 'ArrowRight'), [3, 3]);
  assert.deepEqual(await press(page, 'ArrowLeft'), [1, 1]);
  assert.deepEqual(await press(page, 'Shift+ArrowRight'), [1, 3]);
  await select(page, 3);
  assert.deepEqual(await press(page, 'Shift+ArrowLeft'), [1, 3]);
  // Column 2 of 'abc' is inside the pair above it, and inside the second pair below it.
  await select(page, 8);
  assert.deepEqual(await press(page, 'ArrowUp'), [1, 1]);
  await select(page, 7);
  assert.deepEqual(await press(page, 'ArrowDown'), [10, 10]);
  await select(page, 9);
  assert.deepEqual(await press(page, 'ArrowDown'), [12, 12]);
  assert.deepEqual(await press(page, 'End', 'ArrowLeft'), [12, 12]);
  await takeEdits(page);
  await page.keyboard.press('Backspace');
  await select(page, 1);
  await page.keyboard.press('Delete');
  assert.deepEqual(await takeEdits(page), [
    { index: 10, deleted: 2, inserted: '', cause: 'keydown' },
    { index: 1, deleted: 2, inserted: '', cause: 'keydown' },
  ]);
  assert.deepEqual(await state(page), { value: 'abc\nabc\n😀', start: 1, end: 1 });
  await page.keyboard.press('Control+End');
  await page.keyboard.type('😃'); // typed as one insertText
  await page.keyboard.press('Backspace');
  await page.keyboard.press('Backspace');
  assert.deepEqual(await takeEdits(page), [
    { index: 10, deleted: 0, inserted: '😃', cause: 'beforeinput' },
    { index: 10, deleted: 2, inserted: '', cause: 'keydown' },
    { index: 8, deleted: 2, inserted: '', cause: 'keydown' },
  ]);
  assert.deepEqual(await state(page), { value: 'abc\nabc\n', start: 8, end: 8 });
  await page.close();
});

test('a long line wraps after the last space that fits, into rows within the element', async () => {
  const page = await newView();
  const words = ['lorem', 'ipsum', 'dolor', 'sit', 'amet', 'consectetur', 'adipiscing', 'elit', 'sed', 'do'];
  const cols = await page.evaluate(() => tv.cols());
  assert.ok(cols > 20 && cols < 60, `${cols} columns`);
  // A word of exactly cols units with a space after it (the space ends its row, past the
  // edge, as in a textarea), words, and a word longer than a row (cut at the edge).
  const line = ['w'.repeat(cols), ...words, ...words, ...words, 'z'.repeat(2 * cols + 3), 'end'].join(' ');
  await page.evaluate((text) => view.value = text, `${line}\nshort`);
  await page.evaluate(() => twoFrames());
  const check = async () => {
    const { texts, cols, overflows } = await page.evaluate(() => ({
      texts: tv.texts(),
      cols: tv.cols(),
      // The rows' visible text (past the space that may end them) running past their box.
      overflows: tv.rows().filter((row) => {
        const range = document.createRange();
        range.setStart(row.firstChild, 0);
        range.setEnd(row.firstChild, row.textContent.trimEnd().length);
        return range.getBoundingClientRect().right > row.getBoundingClientRect().right + 0.5;
      }).length,
    }));
    assert.equal(texts.at(-1), 'short');
    const rows = texts.slice(0, -1);
    assert.ok(rows.length >= 6, `${rows.length} rows`);
    assert.equal(rows.join(''), line);
    assert.equal(overflows, 0);
    rows.forEach((row, i) => {
      assert.ok(row.trimEnd().length <= cols, `row ${i} '${row}' is wider than ${cols}`);
      if (i === rows.length - 1) return;
      if (row.endsWith(' ')) { // the next row's first word would not have fitted after it
        const next = rows[i + 1].split(' ')[0];
        assert.ok(row.length + next.length > cols, `row ${i} '${row}' could have held '${next}'`);
      } else {
        assert.equal(row.length, cols, `row ${i} '${row}' is cut before the edge`);
      }
    });
    return { rows, cols };
  };
  const wide = await check();
  assert.equal(wide.rows[0], `${'w'.repeat(cols)} `);
  assert.ok(wide.rows.some((row) => row === 'z'.repeat(cols)), 'the long word is cut at the edge');
  // End on a wrapped row stops before the space that ends it; down keeps the column.
  await page.click('text-view');
  await select(page, 2);
  assert.deepEqual(await press(page, 'End'), [cols, cols]);
  assert.deepEqual(await press(page, 'Home'), [0, 0]);
  assert.deepEqual(await press(page, 'ArrowDown'), [cols + 1, cols + 1]); // the second row's start
  // Narrower, the same text wraps again into more rows.
  await page.evaluate(() => view.style.width = '250px');
  await page.evaluate(() => twoFrames());
  const narrow = await check();
  assert.ok(narrow.cols < wide.cols && narrow.rows.length > wide.rows.length,
            `${narrow.rows.length} rows of ${narrow.cols}, ${wide.rows.length} of ${wide.cols}`);
  await page.close();
});

test('only the rows in sight are drawn, of a 100,000-character text', async () => {
  const page = await newView();
  // 2,500 lines of 39 characters and a '\n', each one row.
  const lines = Array.from({ length: 2500 }, (_, i) => `line ${String(i).padStart(4, '0')} `.padEnd(39, '.'));
  const text = lines.join('\n') + '\n';
  assert.equal(text.length, 100000);
  await page.evaluate((text) => view.value = text, text);
  await page.evaluate(() => twoFrames());
  const top = await page.evaluate(() => ({
    texts: tv.texts(), height: tv.scroller.scrollHeight, cols: tv.cols(), length: view.value.length,
  }));
  assert.equal(top.length, 100000);
  assert.ok(top.cols >= 39, `${top.cols} columns`);
  assert.ok(top.texts.length < 100, `${top.texts.length} rows drawn`);
  assert.deepEqual(top.texts.slice(0, 15), lines.slice(0, 15)); // 300 px: 15 rows in sight
  assert.ok(top.height >= 2501 * 20, `scroll height ${top.height}`);
  // Scrolled to the bottom: the last lines are drawn, in sight, and few others.
  await page.evaluate(() => tv.scroller.scrollTop = tv.scroller.scrollHeight);
  await page.evaluate(() => twoFrames());
  const bottom = await page.evaluate(() => {
    const view = tv.scroller.getBoundingClientRect();
    const row = tv.rows().find((row) => row.textContent.startsWith('line 2499'));
    const box = row?.getBoundingClientRect();
    const inSight = box && box.top >= view.top && box.bottom <= view.bottom;
    return { count: tv.rows().length, text: row?.textContent, inSight };
  });
  assert.ok(bottom.count < 100, `${bottom.count} rows drawn`);
  assert.equal(bottom.text, lines[2499]);
  assert.equal(bottom.inSight, true);
  // The caret put far from the rows in sight brings it into sight.
  for (const line of [0, 1234, 2400]) {
    const offset = line * 40 + 7;
    const seen = await page.evaluate(async (offset) => {
      view.setSelectionRange(offset, offset);
      await twoFrames();
      const caret = view.querySelector('.tv-caret').getBoundingClientRect();
      const box = tv.scroller.getBoundingClientRect();
      const inSight = caret.top >= box.top && caret.bottom <= box.bottom;
      return { caret: tv.caret(), inSight, count: tv.rows().length };
    }, offset);
    assert.equal(seen.caret?.row, line);
    assert.equal(seen.inSight, true, `line ${line}: ${JSON.stringify(seen)}`);
    assert.ok(seen.count < 100);
  }
  // Typing there edits the text at the caret.
  await page.click('text-view');
  await select(page, 2400 * 40);
  await page.keyboard.type('>');
  assert.deepEqual(await takeEdits(page),
                   [{ index: 96000, deleted: 0, inserted: '>', cause: 'beforeinput' }]);
  const row = await page.evaluate(() => tv.texts().find((text) => text.startsWith('>')));
  assert.equal(row, `>${lines[2400]}`);
  await page.close();
});

test('remote edits (replace) move the caret and selection with the text around them', async () => {
  const page = await newView('hello world');
  await page.click('text-view');
  await select(page, 6, 11); // 'world'
  const after = (index, deleted, inserted) => page.evaluate(async ([index, deleted, inserted]) => {
    view.replace(index, deleted, inserted);
    const now = { value: view.value, start: view.selectionStart, end: view.selectionEnd };
    await twoFrames();
    return { ...now, texts: tv.texts(), caret: tv.caret(), selection: tv.selection() };
  }, [index, deleted, inserted]);
  const cell = await page.evaluate(() => tv.cell);
  let seen = await after(0, 0, '>> ');
  assert.deepEqual([seen.value, seen.start, seen.end], ['>> hello world', 9, 14]);
  assert.deepEqual(seen.texts, ['>> hello world']);
  assert.equal(seen.selection.length, 1);
  const [, left, width] = seen.selection[0];
  assert.ok(Math.abs(left - 9 * cell) < 0.5 && Math.abs(width - 5 * cell) < 0.5,
            `selection at ${left}, ${width}`);
  assert.ok(Math.abs(seen.caret.x - 14 * cell) < 0.5);
  seen = await after(0, 3, '');
  assert.deepEqual([seen.value, seen.start, seen.end], ['hello world', 6, 11]);
  seen = await after(11, 0, '!'); // at the selection's end: left out of it
  assert.deepEqual([seen.value, seen.start, seen.end], ['hello world!', 6, 11]);
  seen = await after(0, 5, 'hi, my'); // before it, deleting and inserting
  assert.deepEqual([seen.value, seen.start, seen.end], ['hi, my world!', 7, 12]);
  seen = await after(8, 2, ''); // inside it: it shrinks
  assert.deepEqual([seen.value, seen.start, seen.end], ['hi, my wld!', 7, 10]);
  assert.deepEqual(seen.texts, ['hi, my wld!']);
  await select(page, 3);
  seen = await after(5, 0, 'abc\n'); // after the caret
  assert.deepEqual([seen.value, seen.start, seen.end], ['hi, mabc\ny wld!', 3, 3]);
  assert.deepEqual(seen.texts, ['hi, mabc', 'y wld!']);
  seen = await after(1, 1, 'QQQ'); // before it
  assert.deepEqual([seen.value, seen.start, seen.end], ['hQQQ, mabc\ny wld!', 5, 5]);
  assert.ok(Math.abs(seen.caret.x - 5 * cell) < 0.5 && seen.caret.row === 0);
  seen = await after(2, 9, ''); // around it: to where the deletion was
  assert.deepEqual([seen.value, seen.start, seen.end], ['hQy wld!', 2, 2]);
  assert.deepEqual(seen.texts, ['hQy wld!']);
  // Drawn at the next frame, not before.
  const before = await page.evaluate(() => {
    view.replace(0, 0, 'new ');
    return tv.texts();
  });
  assert.deepEqual(before, ['hQy wld!']);
  assert.deepEqual(await page.evaluate(async () => {
    await twoFrames();
    return tv.texts();
  }), ['new hQy wld!']);
  assert.deepEqual(await takeEdits(page), []); // remote edits are not reported as edits
  // Typing goes on at the moved caret.
  await page.keyboard.type('_');
  assert.deepEqual(await state(page), { value: 'new hQ_y wld!', start: 7, end: 7 });
  await page.close();
});

test('undo and redo take back and redo this user\'s own edits, where remote edits moved them', async () => {
  const page = await newView('one two');
  await page.click('text-view'); // the caret at the end
  await page.keyboard.type(' three'); // typed without a pause: one step
  await select(page, 0, 3);
  await page.keyboard.type('1'); // replaces 'one': a step of its own
  assert.equal((await state(page)).value, '1 two three');
  await takeEdits(page);
  // A remote edit before both steps moves them.
  await page.evaluate(() => view.replace(0, 0, '>> '));
  await page.keyboard.press('Control+Z');
  assert.deepEqual(await takeEdits(page), [{ index: 3, deleted: 1, inserted: 'one', cause: 'keydown' }]);
  assert.equal((await state(page)).value, '>> one two three');
  await page.keyboard.press('Control+Z');
  assert.deepEqual(await state(page), { value: '>> one two', start: 10, end: 10 });
  await page.keyboard.press('Control+Z'); // nothing left of this user's
  assert.equal((await state(page)).value, '>> one two');
  assert.deepEqual(await takeEdits(page), [{ index: 10, deleted: 6, inserted: '', cause: 'keydown' }]);
  await page.keyboard.press('Control+Shift+Z');
  assert.equal((await state(page)).value, '>> one two three');
  await page.keyboard.press('Control+Y');
  assert.equal((await state(page)).value, '>> 1 two three');
  // A new edit forgets what was undone; a remote edit inside a step drops it and older ones.
  await page.keyboard.press('Control+Z');
  await page.keyboard.press('End');
  await page.keyboard.type('!');
  await page.keyboard.press('Control+Y');
  assert.equal((await state(page)).value, '>> one two three!');
  await page.evaluate(() => view.replace(12, 2, '')); // 'hr': cuts into the step of ' three'
  await takeEdits(page);
  await page.keyboard.press('Control+Z'); // the '!' alone is taken back
  await page.keyboard.press('Control+Z');
  assert.deepEqual(await takeEdits(page), [{ index: 14, deleted: 1, inserted: '', cause: 'keydown' }]);
  assert.equal((await state(page)).value, '>> one two tee');
  await page.close();
});

test('the mouse places the caret at the nearest character, extends and selects words', async () => {
  // 'alpha beta gamma' 0-16, '\n' 16, 'second line' 17-28.
  const page = await newView('alpha beta gamma\nsecond line');
  const click = async (row, col, options) => {
    const { x, y } = await page.evaluate(([row, col]) => tv.point(row, col), [row, col]);
    await page.mouse.click(x, y, options);
    return page.evaluate(() => [view.selectionStart, view.selectionEnd]);
  };
  assert.deepEqual(await click(0, 7.4), [7, 7]); // nearer the boundary before the 8th character
  assert.deepEqual(await page.evaluate(() => document.activeElement === tv.input), true);
  assert.deepEqual(await click(0, 7.6), [8, 8]);
  assert.deepEqual(await click(0, 0.2), [0, 0]);
  assert.deepEqual(await click(1, 3), [20, 20]);
  assert.deepEqual(await click(1, 30), [28, 28]); // past the end of the line: its end
  assert.deepEqual(await click(0, 30), [16, 16]); // not past the '\n'
  await click(0, 3);
  await page.keyboard.down('Shift');
  assert.deepEqual(await click(1, 6), [3, 23]);
  assert.deepEqual(await click(0, 1), [1, 3]); // from the same anchor, backwards
  await page.keyboard.up('Shift');
  assert.deepEqual(await click(0, 8.2, { clickCount: 2 }), [6, 10]); // 'beta'
  assert.equal(await page.evaluate(() => tv.input.value), 'beta'); // there for copy and cut
  assert.deepEqual(await click(1, 8, { clickCount: 3 }), [17, 28]); // the line
  // A drag selects from where it began.
  const from = await page.evaluate(() => tv.point(0, 2));
  const to = await page.evaluate(() => tv.point(1, 4));
  await page.mouse.move(from.x, from.y);
  await page.mouse.down();
  await page.mouse.move(to.x, to.y, { steps: 4 });
  await page.mouse.up();
  assert.deepEqual(await state(page), { value: 'alpha beta gamma\nsecond line', start: 2, end: 21 });
  const rects = await page.evaluate(() => tv.selection());
  assert.deepEqual(rects.map(([row]) => row), [0, 1]);
  await page.keyboard.type('!');
  assert.deepEqual(await state(page), { value: 'al!nd line', start: 3, end: 3 });
  await page.close();
});

test('an IME composition is inserted once, at the caret, as one edit', async () => {
  const page = await newView('ab\ncd');
  await page.click('text-view');
  await select(page, 1);
  // CDP's Input.imeSetComposition makes Chromium compose as an IME would (compositionstart,
  // compositionupdate, insertCompositionText into the hidden textarea) and Input.insertText
  // commits it (compositionend).
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Input.imeSetComposition', { text: 'に', selectionStart: 1, selectionEnd: 1 });
  await cdp.send('Input.imeSetComposition', { text: 'にほ', selectionStart: 2, selectionEnd: 2 });
  const during = await page.evaluate(() => ({
    value: view.value, composing: view.classList.contains('tv-composing'), shown: tv.input.value,
    edits: edits.length,
  }));
  // The composition is shown in the textarea at the caret, and is not in the text yet.
  assert.deepEqual(during, { value: 'ab\ncd', composing: true, shown: 'にほ', edits: 0 });
  await page.keyboard.press('ArrowLeft'); // keys during a composition are the IME's
  await cdp.send('Input.insertText', { text: '日本' });
  assert.deepEqual(await takeEdits(page),
                   [{ index: 1, deleted: 0, inserted: '日本', cause: 'compositionend' }]);
  assert.deepEqual(await state(page), { value: 'a日本b\ncd', start: 3, end: 3 });
  assert.deepEqual(await page.evaluate(async () => {
    await twoFrames();
    return { composing: view.classList.contains('tv-composing'), input: tv.input.value, texts: tv.texts() };
  }), { composing: false, input: '', texts: ['a日本b', 'cd'] });
  // Over a selection: the selection is deleted as the composition starts (so that it is
  // typed in its place), and the composition inserted at its end.
  await select(page, 3, 6); // 'b\nc'
  await cdp.send('Input.imeSetComposition', { text: 'k', selectionStart: 1, selectionEnd: 1 });
  assert.deepEqual(await state(page), { value: 'a日本d', start: 3, end: 3 });
  // A remote edit before the caret during the composition moves where it lands.
  await page.evaluate(() => view.replace(0, 0, '>'));
  await cdp.send('Input.imeSetComposition', { text: 'かな', selectionStart: 2, selectionEnd: 2 });
  await cdp.send('Input.insertText', { text: '仮名' });
  assert.deepEqual(await takeEdits(page), [
    { index: 3, deleted: 3, inserted: '', cause: null },
    { index: 4, deleted: 0, inserted: '仮名', cause: 'compositionend' },
  ]);
  assert.deepEqual(await state(page), { value: '>a日本仮名d', start: 6, end: 6 });
  // Typing after a composition goes on as usual.
  await page.keyboard.type('!');
  assert.deepEqual(await state(page), { value: '>a日本仮名!d', start: 7, end: 7 });
  await page.close();
});

test('copy, cut and paste on the hidden textarea use the selection, \\r\\n pasted as \\n', async () => {
  const page = await newView('one two three');
  await page.click('text-view');
  /** Dispatches a clipboard event of type on the hidden textarea; what it left in its data. */
  const clipboard = (type, data = null) => page.evaluate(([type, data]) => {
    const clipboardData = new DataTransfer();
    if (data !== null) clipboardData.setData('text/plain', data);
    const event = new ClipboardEvent(type, { clipboardData, bubbles: true, cancelable: true });
    tv.input.dispatchEvent(event);
    return { data: clipboardData.getData('text/plain'), prevented: event.defaultPrevented };
  }, [type, data]);
  await select(page, 4, 7);
  assert.equal(await page.evaluate(() => tv.input.value), 'two'); // the browser offers copy
  assert.deepEqual(await clipboard('copy'), { data: 'two', prevented: true });
  assert.deepEqual(await state(page), { value: 'one two three', start: 4, end: 7 });
  assert.deepEqual(await takeEdits(page), []);
  await select(page, 3, 7);
  assert.deepEqual(await clipboard('cut'), { data: ' two', prevented: true });
  assert.deepEqual(await takeEdits(page), [{ index: 3, deleted: 4, inserted: '', cause: 'cut' }]);
  assert.deepEqual(await state(page), { value: 'one three', start: 3, end: 3 });
  assert.deepEqual(await clipboard('paste', ':\r\nA\rB\nC'), { data: ':\r\nA\rB\nC', prevented: true });
  assert.deepEqual(await takeEdits(page), [{ index: 3, deleted: 0, inserted: ':\nA\nB\nC', cause: 'paste' }]);
  assert.deepEqual(await state(page), { value: 'one:\nA\nB\nC three', start: 10, end: 10 });
  await select(page, 0, 3);
  await clipboard('paste', 'ONE'); // over a selection: replaces it
  assert.deepEqual(await takeEdits(page), [{ index: 0, deleted: 3, inserted: 'ONE', cause: 'paste' }]);
  assert.deepEqual(await state(page), { value: 'ONE:\nA\nB\nC three', start: 3, end: 3 });
  assert.deepEqual(await clipboard('copy'), { data: '', prevented: true }); // nothing selected
  assert.deepEqual(await page.evaluate(() => { return twoFrames().then(() => tv.texts()); }),
                   ['ONE:', 'A', 'B', 'C three']);
  await page.close();
});
