/**
 * A DynamoDB stream record (NEW_AND_OLD_IMAGES) → its domain events. The record's
 * `ApproximateCreationDateTime` is not used: events carry the times their items record.
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { type DomainEvent, eventsFromChange } from './derive.ts';

type Image = Record<string, AttributeValue>;

export function eventsFromRecord(record: DynamoDBRecord): DomainEvent[] {
  const stream = record.dynamodb;
  if (!stream?.Keys) return [];
  const key = unmarshall(stream.Keys as Image) as { pk: string; sk: string };
  return eventsFromChange({
    key,
    oldImage: stream.OldImage ? unmarshall(stream.OldImage as Image) : null,
    newImage: stream.NewImage ? unmarshall(stream.NewImage as Image) : null,
  });
}
