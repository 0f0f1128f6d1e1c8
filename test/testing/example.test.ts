// @vitest-environment jsdom
// vitest collects test/** only; importing the documented example here runs it as written.
// (An environment comment applies to the file vitest runs, so it is repeated here.)
import '../../examples/testing/task-list.test';
