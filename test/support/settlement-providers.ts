/** Payment providers for fault tests, wrapping the simulator. */
import type { PaymentSimulator } from '#adapters/payment-simulator.ts';
import {
  type PaymentProvider,
  type ProviderRefundRequest,
  type ProviderRefundResult,
  TransientProviderError,
} from '#ports/payment-provider.ts';

/** The simulator behind a switch: while `down`, every call fails transiently (an outage). */
export class OutageProvider implements PaymentProvider {
  down = false;
  readonly inner: PaymentSimulator;

  constructor(inner: PaymentSimulator) {
    this.inner = inner;
  }

  async refund(request: ProviderRefundRequest): Promise<ProviderRefundResult> {
    if (this.down) throw new TransientProviderError('Simulated outage');
    return this.inner.refund(request);
  }
}

/**
 * The provider makes the refund but its answer is lost (the process "crashes" on the way
 * back) `times` times: the caller sees an error after the money moved.
 */
export class LostAnswerProvider implements PaymentProvider {
  #lose: number;
  readonly inner: PaymentSimulator;

  constructor(inner: PaymentSimulator, times = 1) {
    this.inner = inner;
    this.#lose = times;
  }

  async refund(request: ProviderRefundRequest): Promise<ProviderRefundResult> {
    const result = await this.inner.refund(request);
    if (this.#lose > 0) {
      this.#lose -= 1;
      throw new Error('Simulated crash after the provider answered');
    }
    return result;
  }
}
