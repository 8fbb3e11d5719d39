// The task list: records of the collection 'tasks', each with a title (register), done
// (register), votes (counter) and tags (set). The store lists no records, so the ids of the
// tasks live in an add-wins set, 'tasks'/'index'/'ids'; ids start with the creation time in
// base 36, so sorting them sorts the tasks by age.
import { hex } from './hex.mjs';

const collection = 'tasks';
const fields = ['title', 'done', 'votes', 'tags'];

/** A new task id: creation time, then randomness so that two devices never pick the same. */
const newId = () =>
  `${Date.now().toString(36).padStart(9, '0')}-${hex(crypto.getRandomValues(new Uint8Array(4)))}`;

/** An element of tag with the given properties and children. */
function element(tag, properties = {}, ...children) {
  const node = Object.assign(document.createElement(tag), properties);
  node.append(...children);
  return node;
}

/** A tag of a task, with the button that removes it. */
function tagChip(tag) {
  const chip = element('span', { className: 'tag', textContent: `${tag} ` },
                       element('button', { type: 'button', textContent: '✕', title: `remove ${tag}` }));
  chip.dataset.tag = tag;
  return chip;
}

/**
 * Binds the task form and list to store; edit(fn) runs a local edit. The list is updated in
 * place, so a title being edited keeps its focus and caret while other tasks change.
 */
export function bindTasks({ form, input, list }, store, edit) {
  const ids = store.set(collection, 'index', 'ids');
  const items = new Map(); // task id -> its elements

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const title = input.value.trim();
    if (!title) return;
    edit(() => store.transact(() => {
      const id = newId();
      store.put(collection, id, 'title', title);
      store.put(collection, id, 'done', false);
      ids.add(id);
    }));
    input.value = '';
  });

  /** The elements of a new task item; its handlers edit the task. */
  function create(id) {
    const done = element('input', { type: 'checkbox', title: 'done' });
    const title = element('input', { className: 'title' });
    const votes = element('button', { type: 'button', title: 'vote' });
    const tags = element('span');
    const tagInput = element('input', { className: 'tag-input', placeholder: '+ tag' });
    const remove = element('button', { type: 'button', className: 'remove', title: 'delete',
                                       textContent: '✕' });
    const li = element('li', {}, done, title, votes, tags, tagInput, remove);
    li.dataset.testid = 'task-item';
    li.dataset.id = id;
    done.addEventListener('change', () => edit(() => store.put(collection, id, 'done', done.checked)));
    title.addEventListener('change', () => {
      const value = title.value.trim();
      if (value) edit(() => store.put(collection, id, 'title', value));
    });
    votes.addEventListener('click', () => edit(() => store.counter(collection, id, 'votes').add(1)));
    tagInput.addEventListener('keydown', (event) => {
      const tag = tagInput.value.trim();
      if (event.key !== 'Enter' || !tag) return;
      edit(() => store.set(collection, id, 'tags').add(tag));
      tagInput.value = '';
    });
    tags.addEventListener('click', (event) => {
      const tag = event.target.closest('[data-tag]')?.dataset.tag;
      if (tag !== undefined) edit(() => store.set(collection, id, 'tags').delete(tag));
    });
    remove.addEventListener('click', () => edit(() => store.transact(() => {
      ids.delete(id);
      for (const field of fields) store.remove(collection, id, field);
    })));
    return { li, done, title, votes, tags };
  }

  function render() {
    const current = ids.values().sort();
    const present = new Set(current);
    for (const [id, item] of items) {
      if (!present.has(id)) {
        item.li.remove();
        items.delete(id);
      }
    }
    for (const [index, id] of current.entries()) {
      let item = items.get(id);
      if (!item) items.set(id, item = create(id));
      // in id order; moving only what is out of place keeps the focus where it is
      if (list.children[index] !== item.li) list.insertBefore(item.li, list.children[index] ?? null);
      const done = store.get(collection, id, 'done') === true;
      item.li.classList.toggle('done', done);
      item.done.checked = done;
      if (document.activeElement !== item.title) item.title.value = store.get(collection, id, 'title') ?? '';
      item.votes.textContent = `▲ ${store.counter(collection, id, 'votes').value}`;
      item.tags.replaceChildren(...store.set(collection, id, 'tags').values().map(tagChip));
    }
  }

  store.subscribe({ collection }, render);
  render();
}
