/**
 * tsmcp/tasks: the io.modelcontextprotocol/tasks extension (long-running tool calls).
 * @module tsmcp/tasks
 */
export { TaskManager, TASKS_EXTENSION, declaresTasks } from './manager.js';
export type { TasksOptions } from './manager.js';
export { TaskEscalation, runAsTask, tasks } from './server.js';
export type { TaskMode, TasksExtension } from './server.js';
export { tasksClient } from './client.js';
export type { TasksClientExtension, TasksClientOptions } from './client.js';
export { InMemoryTaskStore } from './store.js';
export type { TaskRecord, TaskStatus, TaskStore } from './store.js';
export type { TaskCoordinator, TaskSignal } from './coordinator.js';
