export const UNUSED_MEMBERS: string[];
export const STATEMENTS_DROPPED: Record<string, number>;
export function dropUnusedMembers(code: string, members?: string[], statements?: Record<string, number>): string;
