export function stageEsmExample(dir: string): string;
