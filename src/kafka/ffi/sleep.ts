/** Waits without blocking the JS thread, on any runtime (Bun.sleep is Bun's alone). */
export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
