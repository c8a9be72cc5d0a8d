/** The CLI's documented exit codes: 0 done, 1 a device failed, 2 blocked by a rule, 3 bad input. */
export const EXIT = { done: 0, failed: 1, blocked: 2, badInput: 3 } as const;
