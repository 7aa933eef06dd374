/**
 * Profile settings on DynamoDB (`profile_settings`): one item per profile, rewritten whole by a
 * PutItem guarded on the `version` it was read at, so of two concurrent changes one is refused and
 * tried again on the settings as the other left them.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { ProfileKey } from '../../shared/profile';
import { PROFILE_SETTINGS_TABLE } from '../../shared/tables';
import type { ProfileSettings, ProfileSettingsStore, StoredProfileSettings } from '../core/profile-settings';
import { batchGetItems, getItem, isConditionFailure, putItem, type Item } from './document';
import { profileSettingsFromItem } from './stored-items';

const KEY = PROFILE_SETTINGS_TABLE.partitionKey.name;
/** BatchGetItem's limit; a presence query asks about at most 100 profiles. */
const MAX_BATCH_KEYS = 100;
/** BatchGetItem may leave keys unprocessed under load: they are asked again, a few times. */
const MAX_BATCH_ATTEMPTS = 5;

export class DynamoProfileSettings implements ProfileSettingsStore {
  constructor(
    private readonly table: string,
    private readonly db: DynamoDBClient = new DynamoDBClient({}),
  ) {}

  async settingsOf(key: ProfileKey): Promise<StoredProfileSettings | undefined> {
    const item = await getItem(this.db, { TableName: this.table, Key: { [KEY]: key }, ConsistentRead: true });
    return item ? profileSettingsFromItem(item) : undefined;
  }

  async settingsOfMany(keys: readonly ProfileKey[]): Promise<ReadonlyMap<ProfileKey, ProfileSettings>> {
    const unique = [...new Set(keys)];
    if (unique.length > MAX_BATCH_KEYS) throw new Error(`At most ${MAX_BATCH_KEYS} profiles' settings at once, asked for ${unique.length}`);
    const found = new Map<ProfileKey, ProfileSettings>();
    let pending: Item[] = unique.map((key) => ({ [KEY]: key }));
    for (let attempt = 0; pending.length > 0; attempt++) {
      if (attempt === MAX_BATCH_ATTEMPTS) throw new Error(`${pending.length} profiles' settings still unread after ${attempt} attempts`);
      const result = await batchGetItems(this.db, this.table, pending, { ConsistentRead: true });
      for (const item of result.items) {
        const key = unique.find((asked) => asked === item[KEY]);
        if (key !== undefined) found.set(key, profileSettingsFromItem(item));
      }
      pending = result.unprocessedKeys;
    }
    return found;
  }

  async saveSettings(key: ProfileKey, settings: ProfileSettings, readVersion: number | undefined): Promise<boolean> {
    const item = {
      [KEY]: key,
      who_can_call: settings.whoCanCall,
      blocked: settings.blocked.map((entry) => ({
        profile_id: entry.profileId,
        profile_type: entry.profileType,
        name: entry.name,
        blocked_at: entry.blockedAt,
      })),
      version: (readVersion ?? 0) + 1,
    };
    try {
      await putItem(this.db, {
        TableName: this.table,
        Item: item,
        ...(readVersion === undefined
          ? { ConditionExpression: 'attribute_not_exists(#key)', ExpressionAttributeNames: { '#key': KEY } }
          : {
              ConditionExpression: '#version = :read',
              ExpressionAttributeNames: { '#version': 'version' },
              ExpressionAttributeValues: { ':read': readVersion },
            }),
      });
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }
}
