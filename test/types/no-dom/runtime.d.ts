// The one global zod's declarations need beyond ES2022 (every JavaScript runtime has it); the
// package's own declarations need none.
declare class URL {
  constructor(url: string, base?: string);
  readonly href: string;
}
