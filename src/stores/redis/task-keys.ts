// Key names the Redis task store and coordinator share, and the one check that keeps a client-supplied
// task id from naming any other key (a forged id is then just an unknown one).
import type { RedisConnection } from './connection.js';

/** Task ids the manager makes are 32 hex characters; anything outside this shape is unknown by construction. */
const ID = /^[A-Za-z0-9_-]{1,128}$/;

export function validTaskId(id: string): boolean {
  return ID.test(id);
}

export const taskKey = (conn: RedisConnection, id: string): string => conn.key('task', id);
export const leaseKey = (conn: RedisConnection, id: string): string => conn.key('tasklease', id);
/** Live (working / input_required) task ids of one owner bucket, scored by expiry (ms). */
export const bucketKey = (conn: RedisConnection, bucket: string): string => conn.key('tasklive', bucket);
/** Every live task of the fleet, scored by expiry (ms): the fleet-wide `maxLiveTasks` bound. */
export const allLiveKey = (conn: RedisConnection): string => conn.key('tasklive');
/** Every task (any status), scored by expiry (ms): what the experimental tasks/list reads. */
export const indexKey = (conn: RedisConnection): string => conn.key('taskindex');
