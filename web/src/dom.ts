/** A tiny element builder: `h('button', {type: 'button', onclick}, 'Save')`. */

export type Child = Node | string | number | null | undefined | false;
type Props = Record<string, unknown>;

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: Props = {},
  ...children: (Child | Child[])[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith('on') && typeof value === 'function') {
      element.addEventListener(name.slice(2), value as EventListener);
    } else if (name === 'dataset') {
      Object.assign(element.dataset, value);
    } else if (name in element && name !== 'list' && !name.includes('-')) {
      (element as unknown as Record<string, unknown>)[name] = value;
    } else {
      element.setAttribute(name, value === true ? '' : String(value));
    }
  }
  append(element, children);
  return element;
}

export function append(parent: Node, children: (Child | Child[])[]): void {
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    parent.appendChild(typeof child === 'object' ? child : document.createTextNode(String(child)));
  }
}

/** Replaces every child of `parent`. */
export function mount(parent: Element, ...children: (Child | Child[])[]): void {
  parent.replaceChildren();
  append(parent, children);
}

/**
 * Makes `parent`'s children look like `children` by changing only what differs: a node of the
 * same kind in the same place is kept, with its attributes and text brought up to date and its
 * own children patched the same way; anything else is replaced, added or removed. What a
 * person did to a kept node stays: keyboard focus, a screen reader's place in it, whether a
 * `<details>` is open (the `open` the user toggled is never taken away). A live region that is
 * kept announces only what actually changed. Listeners of the new nodes are not carried over to
 * the kept ones, so patch what has none (text, tables, lists, disclosures).
 */
export function patch(parent: Element, ...children: (Child | Child[])[]): void {
  const next = document.createElement('div');
  append(next, children);
  patchChildren(parent, next);
}

function patchChildren(parent: Node, next: Node): void {
  const kept = Array.from(parent.childNodes);
  const wanted = Array.from(next.childNodes);
  wanted.forEach((node, i) => {
    const old = kept[i];
    if (old === undefined) parent.appendChild(node);
    else if (!patchNode(old, node)) parent.replaceChild(node, old);
  });
  for (const extra of kept.slice(wanted.length)) parent.removeChild(extra);
}

/** Brings `old` up to date with `node` in place; false when they are not the same kind of node. */
function patchNode(old: Node, node: Node): boolean {
  if (old.nodeType !== node.nodeType || old.nodeName !== node.nodeName) return false;
  if (!(old instanceof Element && node instanceof Element)) {
    if (old.nodeValue !== node.nodeValue) old.nodeValue = node.nodeValue;
    return true;
  }
  for (const { name } of Array.from(old.attributes)) {
    const userState = name === 'open' && old.localName === 'details';
    if (!node.hasAttribute(name) && !userState) old.removeAttribute(name);
  }
  for (const { name, value } of Array.from(node.attributes)) {
    if (old.getAttribute(name) !== value) old.setAttribute(name, value);
  }
  patchChildren(old, node);
  return true;
}

let nextId = 0;
export const uid = (prefix: string): string => `${prefix}-${++nextId}`;

/** A labelled control: `<label for>` + the control. */
export function field(label: string, control: HTMLElement, hint?: string): HTMLElement {
  control.id ||= uid('f');
  const hintEl = hint ? h('small', { id: `${control.id}-hint` }, hint) : null;
  if (hintEl) control.setAttribute('aria-describedby', hintEl.id);
  return h('div', { className: 'field' }, h('label', { htmlFor: control.id }, label), control, hintEl);
}
