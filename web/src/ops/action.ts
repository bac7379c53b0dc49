/**
 * Every action of the back office goes through one confirmation dialog: it states the effect
 * of the action as its inputs are now, takes the reason code and the note the audit record
 * keeps, and sends the action with one Idempotency-Key for this confirmation — a double click
 * joins the request under way and a retry after a network error replays it (see Attempt), so
 * either has one effect. A refusal is shown in the dialog with its next step.
 */
import type { App } from '../app.ts';
import { Attempt } from '../attempt.ts';
import { type Child, field, h, mount, uid } from '../dom.ts';
import { refusalOf } from '../refusals.ts';
import { button, refusalBox } from '../ui.ts';
import type { ActionResult } from './types.ts';
import { REASON_CODES } from './words.ts';

const MAX_NOTE = 1000;

export interface ActionOptions {
  /** The dialog's heading, e.g. "Retry settlement now". */
  title: string;
  /** The confirming button's label. */
  confirmLabel: string;
  /** The action's own inputs (resolution, amount…), shown above the reason. */
  fields?: HTMLElement[];
  /** The effect in words for the inputs as they are now (read again on every change). */
  effect: () => Child | Child[];
  /** A problem with the inputs: the sentence, and the control to focus. */
  check?: () => [string, HTMLElement] | undefined;
  /** The action's own body fields (the reason code and the note are added). */
  body?: () => Record<string, unknown>;
  /** The reason code chosen when the dialog opens. */
  reason?: string;
  send: (body: Record<string, unknown>, key: string) => Promise<ActionResult>;
  /** After the service did it (or filed it for approval): the dialog is closed by then. */
  done: (result: ActionResult) => void;
  /** Shows the screen again as it is now (after "this changed while you were looking"). */
  reload: () => void;
}

/** Opens the confirmation dialog of one action over the screen on show. */
export function openAction(app: App, o: ActionOptions): HTMLDialogElement {
  const opener = document.activeElement as HTMLElement | null;
  const attempt = new Attempt();
  const titleId = uid('d');
  const reason = h(
    'select',
    { name: 'reasonCode', 'aria-required': 'true' },
    h('option', { value: '' }, 'Choose a reason'),
    REASON_CODES.map(([code, label]) => h('option', { value: code, selected: code === o.reason }, label)),
  );
  const note = h('textarea', { name: 'note', maxLength: MAX_NOTE, rows: 3, 'aria-required': 'true' });
  const effect = h('div', { className: 'effect', dataset: { field: 'effect' }, 'aria-live': 'polite' });
  const message = h('div', { 'aria-live': 'assertive' });
  const confirm = h('button', { type: 'submit', className: 'primary' }, o.confirmLabel);
  const dialog = h('dialog', { 'aria-labelledby': titleId, className: 'action-dialog' });
  const showEffect = () => mount(effect, h('p', {}, o.effect()));
  const screen = document.querySelector('main .screen');

  const form = h(
    'form',
    {
      method: 'dialog',
      oninput: showEffect,
      onchange: showEffect,
      onsubmit: (event: Event) => {
        event.preventDefault();
        const problem: [string, HTMLElement] | undefined =
          o.check?.() ??
          (reason.value === ''
            ? ['Choose the reason for this action.', reason]
            : note.value.trim() === ''
              ? ['Write a note: what you checked and why this is right.', note]
              : undefined);
        if (problem) {
          mount(message, h('p', { className: 'refusal', role: 'alert' }, problem[0]));
          problem[1].focus();
          return;
        }
        mount(message);
        const body = { ...(o.body?.() ?? {}), reasonCode: reason.value, note: note.value.trim() };
        confirm.setAttribute('aria-busy', 'true');
        confirm.disabled = true;
        attempt
          .run(body, (key) => o.send(body, key))
          .then(
            (result) => {
              dialog.close();
              // An answer that arrives after the operator moved on changes nothing on show.
              if (screen?.isConnected) o.done(result);
            },
            (error: unknown) => {
              const code = refusalOf(error).code;
              const moved = code === 'STATE_CHANGED' || code === 'APPROVAL_NOT_PENDING';
              mount(
                message,
                refusalBox(app, error, {
                  back: null,
                  retry: moved
                    ? () => {
                        dialog.close();
                        o.reload();
                      }
                    : () => form.requestSubmit(),
                }),
              );
              message.querySelector<HTMLElement>('button')?.focus();
            },
          )
          .finally(() => {
            confirm.removeAttribute('aria-busy');
            confirm.disabled = false;
          });
      },
    },
    h('h2', { id: titleId }, o.title),
    effect,
    o.fields ?? [],
    field('Reason', reason),
    field(
      'Note (kept in the audit record)',
      note,
      `What you checked and why; up to ${MAX_NOTE} characters. Do not paste card numbers or passwords.`,
    ),
    message,
    h(
      'p',
      { className: 'actions' },
      confirm,
      button('Cancel', () => dialog.close()),
    ),
  );
  dialog.append(form);
  dialog.addEventListener('close', () => {
    dialog.remove();
    if (opener?.isConnected) opener.focus();
  });
  showEffect();
  (screen ?? document.body).append(dialog);
  dialog.showModal();
  return dialog;
}
