/** "1 run", "3 runs", "1,204 employees": a count with its noun, in the words emails and pages use. */
export const plural = (count: number, one: string, many = `${one}s`): string => `${count.toLocaleString('en')} ${count === 1 ? one : many}`;
