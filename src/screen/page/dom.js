// Small helpers the page's views share: elements by test id, text set only when it changed,
// and the page's words put into the elements that name them.

/** The element of a `data-testid`. */
export const byTestId = (id) => document.querySelector(`[data-testid="${CSS.escape(id)}"]`);

/** Sets the text of an element (or of the element of a test id) when it differs. */
export function setText(id, text) {
  const element = typeof id === 'string' ? byTestId(id) : id;
  if (element && element.textContent !== text) element.textContent = text;
}

/** Puts the page's words into the elements that name them (data-word, data-word-title, data-word-label). */
export function applyWords(root, words) {
  for (const element of root.querySelectorAll('[data-word]')) {
    const word = words[element.dataset.word];
    if (typeof word === 'string') element.textContent = word;
  }
  for (const element of root.querySelectorAll('[data-word-title]')) element.title = words[element.dataset.wordTitle] ?? element.title;
  for (const element of root.querySelectorAll('[data-word-label]')) element.setAttribute('aria-label', words[element.dataset.wordLabel] ?? '');
}
