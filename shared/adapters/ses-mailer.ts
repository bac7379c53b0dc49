/**
 * Amazon SES v2: the rendered MIME message as raw content (so the credit note rides along as an
 * attachment). The function's role may send only from the configured identity.
 */
import { type SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import type { Mailer } from '#ports/notifications.ts';

export class SesMailer implements Mailer {
  readonly #client: SESv2Client;
  readonly #configurationSet: string | undefined;

  constructor(client: SESv2Client, configurationSet?: string) {
    this.#client = client;
    this.#configurationSet = configurationSet;
  }

  async send(message: { from: string; to: string; raw: string }): Promise<{ messageId: string }> {
    const result = await this.#client.send(
      new SendEmailCommand({
        FromEmailAddress: message.from,
        Destination: { ToAddresses: [message.to] },
        Content: { Raw: { Data: Buffer.from(message.raw, 'utf8') } },
        ...(this.#configurationSet ? { ConfigurationSetName: this.#configurationSet } : {}),
      }),
    );
    return { messageId: result.MessageId ?? '' };
  }
}
