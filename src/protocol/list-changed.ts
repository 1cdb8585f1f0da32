// The three lists whose changes MCP announces: one table from a list to its change-event type, its
// notification method and the subscription-filter flag, for server routing and client filtering alike.

/** A list whose changes are announced. */
export type ListKind = 'tools' | 'prompts' | 'resources';

/** What one list's change is called on each side. @internal */
export interface ListChanged {
  kind: ListKind;
  /** The server change-event type (`ServerEvent['type']`). */
  event: `${ListKind}/list_changed`;
  /** The notification method on the wire. */
  method: `notifications/${ListKind}/list_changed`;
  /** The `SubscriptionFilter` flag that asks for it (2026-07-28). */
  filter: 'toolsListChanged' | 'promptsListChanged' | 'resourcesListChanged';
}

const entry = <K extends ListKind>(kind: K, filter: ListChanged['filter']): ListChanged => ({
  kind,
  event: `${kind}/list_changed`,
  method: `notifications/${kind}/list_changed`,
  filter,
});

/** Every list, by kind. @internal */
export const LIST_CHANGED: Readonly<Record<ListKind, ListChanged>> = Object.freeze({
  tools: entry('tools', 'toolsListChanged'),
  prompts: entry('prompts', 'promptsListChanged'),
  resources: entry('resources', 'resourcesListChanged'),
});

const BY_NAME = new Map<string, ListChanged>(
  Object.values(LIST_CHANGED).flatMap(
    (l) =>
      [
        [l.event, l],
        [l.method, l],
      ] as const,
  ),
);

/** The list a change-event type (`tools/list_changed`) or notification method names, if it is one. @internal */
export function listChangedOf(name: string): ListChanged | undefined {
  return BY_NAME.get(name);
}
