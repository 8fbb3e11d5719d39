// The undo and redo history of one user's edits to a text that others edit too: undoing takes
// back only this user's own steps, at wherever the edits of others have since moved them.
// A step that another's edit cut into (typed text partly deleted, or split by an insert) is
// dropped, with every older step, rather than undone into text it no longer matches.

const LIMIT = 500; // steps kept
const TYPING_PAUSE_MS = 1000; // typing within this of the last keystroke joins its step

export class EditHistory {
  #undo = []; // steps, the latest last: { index, removed, inserted, at }
  #redo = [];

  /** This user replaced removed at index with inserted, at time at (ms). Typing that goes on
   * from where the last step ended, soon enough, joins it. */
  record(index, removed, inserted, at) {
    this.#redo = [];
    const last = this.#undo.at(-1);
    if (last && removed === '' && last.at + TYPING_PAUSE_MS > at && !inserted.includes('\n') &&
        index === last.index + last.inserted.length) {
      last.inserted += inserted;
      last.at = at;
      return;
    }
    this.#undo.push({ index, removed, inserted, at });
    if (this.#undo.length > LIMIT) this.#undo.shift();
  }

  /** Someone else replaced deleted units at index with inserted units (in the text as it is
   * now): steps after it move, a step it cut into goes, with every older one. Each step's
   * index is in the text as it was when the steps above it had not been made, so the edit is
   * carried down the stack, through each step it passes. */
  transform(index, deleted, inserted) {
    for (const steps of [this.#undo, this.#redo]) {
      let at = index;
      for (let i = steps.length - 1; i >= 0; i--) {
        const step = steps[i];
        if (at + deleted <= step.index) {
          step.index += inserted - deleted; // before the step
        } else if (at >= step.index + step.inserted.length) {
          at += step.removed.length - step.inserted.length; // after it: where it was before it
        } else {
          steps.splice(0, i + 1);
          break;
        }
      }
    }
  }

  /** The edit that takes back the latest step ({ index, deleted, inserted }), or null. */
  undo() { return this.#move(this.#undo, this.#redo); }

  /** The edit that does the latest undone step again, or null. */
  redo() { return this.#move(this.#redo, this.#undo); }

  #move(from, to) {
    const step = from.pop();
    if (!step) return null;
    to.push({ index: step.index, removed: step.inserted, inserted: step.removed, at: -Infinity });
    return { index: step.index, deleted: step.inserted.length, inserted: step.removed };
  }
}
