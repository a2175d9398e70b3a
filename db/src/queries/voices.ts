import { and, desc, eq } from 'drizzle-orm';
import type { Database } from '../client';
import { voiceLibrary } from '../schema';

export type Voice = typeof voiceLibrary.$inferSelect;
export type NewVoice = typeof voiceLibrary.$inferInsert;

export async function insertVoice(db: Database, voice: NewVoice): Promise<Voice> {
  const [row] = await db.insert(voiceLibrary).values(voice).returning();
  if (!row) throw new Error('voice insert returned no row');
  return row;
}

/** A user's own voices, newest first. */
export function listVoicesForUser(db: Database, userId: string): Promise<Voice[]> {
  return db.select().from(voiceLibrary).where(eq(voiceLibrary.userId, userId)).orderBy(desc(voiceLibrary.createdAt));
}

/** Voices their owners shared, newest first. */
export function listPublicVoices(db: Database, limit = 200): Promise<Voice[]> {
  return db
    .select()
    .from(voiceLibrary)
    .where(eq(voiceLibrary.isPublic, true))
    .orderBy(desc(voiceLibrary.createdAt))
    .limit(limit);
}

/** A voice the user may use: their own, or a public one. */
export async function getUsableVoice(db: Database, voiceId: string, userId: string): Promise<Voice | undefined> {
  const [row] = await db.select().from(voiceLibrary).where(eq(voiceLibrary.id, voiceId));
  if (!row || (row.userId !== userId && !row.isPublic)) return undefined;
  return row;
}

/** Deletes the user's own voice; returns the deleted row, or undefined if it is not theirs. */
export async function deleteVoiceOfUser(db: Database, voiceId: string, userId: string): Promise<Voice | undefined> {
  const [row] = await db
    .delete(voiceLibrary)
    .where(and(eq(voiceLibrary.id, voiceId), eq(voiceLibrary.userId, userId)))
    .returning();
  return row;
}

/** Sets the visibility of the user's own voice; returns the updated row, or undefined if it is not theirs. */
export async function setVoiceVisibilityOfUser(
  db: Database,
  voiceId: string,
  userId: string,
  isPublic: boolean,
): Promise<Voice | undefined> {
  const [row] = await db
    .update(voiceLibrary)
    .set({ isPublic, updatedAt: new Date() })
    .where(and(eq(voiceLibrary.id, voiceId), eq(voiceLibrary.userId, userId)))
    .returning();
  return row;
}
