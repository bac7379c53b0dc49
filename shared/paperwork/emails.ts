/**
 * The customer's emails, pure: one per fact, in the console's words (web/src/words.ts), as plain
 * text and HTML. Amounts from integer minor units; times in UTC+8 with the zone named.
 * Nothing here is logged; the recipient is added by the notifier.
 */
import type { Destination, MinorUnits } from '#shared/domain.ts';
import type { InstanceRecord, LineCreditCause, UnsubscribeOrder } from '#shared/model.ts';
import { billingDateTime } from './billing-time.ts';
import { formatAmount } from './credit-note.ts';

export type EmailKind = 'ORDER_ACCEPTED' | 'REFUND_ARRIVED' | 'MOVED_TO_BALANCE';

export interface EmailContent {
  kind: EmailKind;
  subject: string;
  text: string;
  html: string;
}

const DESTINATIONS: Record<Destination, string> = {
  ORIGINAL_PAYMENT_METHOD: 'Original payment method',
  ACCOUNT_BALANCE: 'Account balance',
};

const REFUND_TYPES = {
  FULL_REFUND: 'Full refund',
  PARTIAL_REFUND: 'Partial refund',
  RENEWAL_CANCELLATION: 'Renewal cancellation',
};

/** Why a refund went to the balance instead of the payment method (AccountBalanceCredited.cause). */
export const BALANCE_REASONS: Record<Exclude<LineCreditCause, 'REFUND_TO_BALANCE'>, string> = {
  PROVIDER_REFUSED:
    'your original payment method refused the refund (for example, the card is closed or no longer valid)',
  PROVIDER_FAILED: 'the refund to your original payment method failed before it was completed',
  PROVIDER_REVERSED: 'the refund to your original payment method was returned after it had been sent',
  OPERATOR_RESOLUTION:
    'the refund to your original payment method could not be completed, and our support team credited it to your balance instead',
};

const money = (amount: MinorUnits, currency: string) => `${formatAmount(amount, currency)} ${currency}`;
const when = (t: number) => `${billingDateTime(t)} (UTC+8)`;

const escapeHtml = (text: string) =>
  text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  );

/** A paragraph model rendered both ways: text lines, or `<p>` / `<ul>` in HTML. */
type Block = string | string[];

function render(kind: EmailKind, subject: string, blocks: Block[]): EmailContent {
  const text = `${blocks.map((b) => (Array.isArray(b) ? b.map((l) => `- ${l}`).join('\n') : b)).join('\n\n')}\n`;
  const body = blocks
    .map((b) =>
      Array.isArray(b)
        ? `<ul>${b.map((l) => `<li>${escapeHtml(l)}</li>`).join('')}</ul>`
        : `<p>${escapeHtml(b)}</p>`,
    )
    .join('\n');
  const html = `<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(subject)}</title></head>\n<body style="font-family: sans-serif; line-height: 1.5">\n${body}\n</body></html>\n`;
  return { kind, subject, text, html };
}

function destinationLines(order: UnsubscribeOrder, settled: boolean): string[] {
  return order.lines
    .filter((line) => line.refundAmount > 0)
    .map((line) => {
      const to = settled ? (line.settledTo ?? line.destination) : line.destination;
      return `${money(line.refundAmount, order.currency)} for order ${line.orderId}: ${DESTINATIONS[to]}`;
    });
}

/** The unsubscription or renewal cancellation was accepted. */
export function orderAcceptedEmail(order: UnsubscribeOrder, instance: InstanceRecord): EmailContent {
  const amount = money(order.refundAmount, order.currency);
  const common: Block[] = [
    `Refund: ${amount} (${REFUND_TYPES[order.refundType]}).`,
    'Where the money goes:',
    destinationLines(order, false),
    `We refund it by ${when(order.dueBy)} at the latest (two business days). If your original payment method refuses the refund, it goes to your account balance instead, and we will tell you.`,
  ];
  if (order.type === 'CANCEL_RENEWAL') {
    const cancelled = order.lines.map((l) => l.orderId).join(', ');
    return render(
      'ORDER_ACCEPTED',
      `Renewal cancelled for ${instance.instanceId}: ${amount} to be refunded`,
      [
        `Your renewal cancellation for instance ${instance.instanceId} (${instance.product}, ${instance.edition}) was accepted on ${when(order.createdAt)}.`,
        `Cancelled renewal orders: ${cancelled}. The instance stays active until its updated expiration time.`,
        ...common,
        `Unsubscribe order: ${order.unsubscribeOrderId}.`,
      ],
    );
  }
  const retention = instance.retention;
  const kept: Block[] = retention
    ? [
        'Your data is kept until:',
        [
          `Configuration data: ${when(retention.configData.purgeAt)}`,
          `Log analysis data: ${when(retention.logData.purgeAt)}`,
        ],
        'To restore the instance, renew it before these times: whatever has not been deleted yet comes back.',
      ]
    : [];
  return render(
    'ORDER_ACCEPTED',
    `Unsubscription accepted for ${instance.instanceId}: ${amount} to be refunded`,
    [
      `Your unsubscription of instance ${instance.instanceId} (${instance.product}, ${instance.edition}) was accepted on ${when(order.createdAt)}.`,
      ...common,
      ...kept,
      `Unsubscribe order: ${order.unsubscribeOrderId}.`,
    ],
  );
}

/** Every line settled: the refund arrived (with the credit note attached when it is ready). */
export function refundArrivedEmail(order: UnsubscribeOrder, creditNoteNumber: string | null): EmailContent {
  const amount = money(order.refundAmount, order.currency);
  return render('REFUND_ARRIVED', `Your refund of ${amount} has been completed`, [
    `The refund for unsubscribe order ${order.unsubscribeOrderId} has been completed${order.settledAt ? ` on ${when(order.settledAt)}` : ''}.`,
    destinationLines(order, true),
    creditNoteNumber
      ? `Your credit note ${creditNoteNumber} is attached. You can also download it from the order page.`
      : 'Your credit note will be available on the order page shortly.',
  ]);
}

/** A line's refund went to the account balance instead of the payment method. */
export function movedToBalanceEmail(
  order: UnsubscribeOrder,
  entry: { orderId: string; amount: MinorUnits; currency: string; cause: LineCreditCause },
): EmailContent {
  const reason = entry.cause === 'REFUND_TO_BALANCE' ? null : BALANCE_REASONS[entry.cause];
  const amount = money(entry.amount, entry.currency);
  return render('MOVED_TO_BALANCE', `${amount} was credited to your account balance`, [
    `${amount} of the refund for unsubscribe order ${order.unsubscribeOrderId} (order ${entry.orderId}) was credited to your account balance${reason ? ` because ${reason}` : ''}.`,
    'You can use the balance for future purchases. It is shown on the Balance page.',
  ]);
}
