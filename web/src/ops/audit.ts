/**
 * `#/audit` (find a trail) and `#/audit/<person|order|account>/<id>`: the audit trail of a
 * person (what they did), an order or an account, newest first and paged. Audit records are
 * never changed: this is a read-only view.
 */
import type { Page } from '../api.ts';
import type { App } from '../app.ts';
import { field, h } from '../dom.ts';
import { heading, link, pager, refusalBox } from '../ui.ts';
import { accountHash, auditTable, orderHash, pagesOf, personHash, QUEUES, whoAmI } from './common.ts';
import type { AuditRecord } from './types.ts';

const KINDS: Record<string, { query: string; title: (id: string) => string; caption: string }> = {
  person: {
    query: 'actor',
    title: (id) => `Audit trail of ${id}`,
    caption: 'What this person did, newest first',
  },
  order: {
    query: 'unsubscribeOrderId',
    title: (id) => `Audit trail of order ${id}`,
    caption: 'Newest first',
  },
  account: {
    query: 'accountId',
    title: (id) => `Audit trail of account ${id}`,
    caption: 'Every action on this account and its orders, newest first',
  },
};

export async function showAuditSearch(app: App): Promise<void> {
  const me = await whoAmI(app).catch(() => undefined);
  const input = h('input', { name: 'actor', autocomplete: 'off', value: me?.operator ?? '', required: true });
  app.show(
    heading('Audit trail'),
    h(
      'p',
      { className: 'lead' },
      'Every operator action, approval, rejection and expiry is recorded once and never changed. An order’s trail is on the order; an account’s on the account.',
    ),
    h(
      'form',
      {
        className: 'panel finder',
        role: 'search',
        'aria-label': 'Audit trail of a person',
        onsubmit: (event: Event) => {
          event.preventDefault();
          if (input.value.trim()) location.hash = personHash(input.value.trim());
        },
      },
      field('Person (their sign-in name)', input),
      h('button', { type: 'submit' }, 'Show their trail'),
    ),
  );
}

export async function showAudit(app: App, kind: string, id: string): Promise<void> {
  const spec = KINDS[kind];
  if (!spec) {
    location.hash = '#/audit';
    return;
  }
  const title = spec.title(id);
  const screen = app.show(heading(title), h('p', {}, 'Loading…'));
  const again = () => void showAudit(app, kind, id);
  const key = `${kind}/${id}`;
  const tokens = pagesOf(`audit/${key}`);
  try {
    const page = await app.api.get<Page<AuditRecord>>('/ops/audit-records', {
      [spec.query]: id,
      limit: '20',
      nextToken: tokens[tokens.length - 1],
    });
    app.render(
      screen,
      heading(title),
      auditTable(spec.caption, page.items),
      pager(tokens, page.nextToken, again),
      h(
        'p',
        { className: 'actions' },
        kind === 'order' ? link('The order', orderHash(id)) : null,
        kind === 'account' ? link('The account', accountHash(id)) : null,
        link(QUEUES[0], QUEUES[1]),
      ),
    );
  } catch (error) {
    app.render(screen, heading(title), refusalBox(app, error, { retry: again, back: QUEUES }));
  }
}
