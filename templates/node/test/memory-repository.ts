import type { Item, ItemInput, ItemRepository } from '../src/items.ts';

/** An in-memory stand-in for the database, so the HTTP layer can be tested without one. */
export class MemoryRepository implements ItemRepository {
  items: Item[] = [];
  healthy = true;
  closed = false;
  private nextId = 1;
  private clock = Date.parse('2026-01-01T00:00:00.000Z');

  async list(limit: number, offset: number): Promise<Item[]> {
    return [...this.items]
      .sort((a, b) => b.createdAt.localeCompare(a.createdAt) || Number(b.id) - Number(a.id))
      .slice(offset, offset + limit);
  }

  async get(id: string): Promise<Item | null> {
    return this.items.find((i) => String(i.id) === id) ?? null;
  }

  async create(input: ItemInput): Promise<Item> {
    const now = this.tick();
    const item: Item = { id: this.nextId++, ...input, createdAt: now, updatedAt: now };
    this.items.push(item);
    return item;
  }

  async update(id: string, input: ItemInput): Promise<Item | null> {
    const item = await this.get(id);
    if (!item) return null;
    Object.assign(item, input, { updatedAt: this.tick() });
    return item;
  }

  async remove(id: string): Promise<boolean> {
    const before = this.items.length;
    this.items = this.items.filter((i) => String(i.id) !== id);
    return this.items.length < before;
  }

  async ping(): Promise<void> {
    if (!this.healthy) throw new Error('connect ECONNREFUSED 127.0.0.1:5432');
  }

  async init(): Promise<void> {}

  async close(): Promise<void> {
    this.closed = true;
  }

  private tick(): string {
    this.clock += 1;
    return new Date(this.clock).toISOString();
  }
}
