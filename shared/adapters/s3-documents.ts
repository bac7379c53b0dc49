/**
 * Rendered documents in a private S3 bucket (credit notes, journal exports). Objects are written
 * once: `If-None-Match: *` makes S3 refuse to replace an object that exists (a re-render after a
 * crash finds its document stored; with Object Lock on the credit-note bucket nothing could
 * replace it anyway). Locally the same adapter talks to fauxqs's S3 emulation
 * (`AWS_ENDPOINT_URL_S3`, path-style addressing).
 */
import {
  GetObjectCommand,
  NoSuchKey,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { DocumentStore } from '#ports/credit-notes.ts';

/** One client per process; path-style addressing when an endpoint is configured (the local emulator). */
export function s3Client(): S3Client {
  return new S3Client({ forcePathStyle: Boolean(process.env.AWS_ENDPOINT_URL_S3) });
}

export class S3DocumentStore implements DocumentStore {
  readonly #client: S3Client;
  readonly #bucket: string;

  constructor(client: S3Client, bucket: string) {
    this.#client = client;
    this.#bucket = bucket;
  }

  async putOnce(key: string, body: Uint8Array, contentType: string): Promise<void> {
    try {
      await this.#client.send(
        new PutObjectCommand({
          Bucket: this.#bucket,
          Key: key,
          Body: body,
          ContentType: contentType,
          IfNoneMatch: '*',
        }),
      );
    } catch (error) {
      // 412: the object is there already (written by an earlier attempt); it is not replaced.
      if (error instanceof S3ServiceException && error.$metadata.httpStatusCode === 412) return;
      throw error;
    }
  }

  async get(key: string): Promise<Uint8Array | null> {
    try {
      const result = await this.#client.send(new GetObjectCommand({ Bucket: this.#bucket, Key: key }));
      return result.Body ? await result.Body.transformToByteArray() : null;
    } catch (error) {
      if (error instanceof NoSuchKey) return null;
      if (error instanceof S3ServiceException && error.$metadata.httpStatusCode === 404) return null;
      throw error;
    }
  }

  async link(key: string, expiresInSeconds: number, downloadName: string): Promise<string> {
    return getSignedUrl(
      this.#client,
      new GetObjectCommand({
        Bucket: this.#bucket,
        Key: key,
        ResponseContentDisposition: `attachment; filename="${downloadName.replace(/[^\w.-]/g, '_')}"`,
      }),
      { expiresIn: expiresInSeconds },
    );
  }
}
