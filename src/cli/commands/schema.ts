import type { CommandModule } from 'yargs';

/**
 * `dynamic-migrate schema`: prints the JSON Schema of a mapping document, for editors. Save it and
 * point a JSON mapping at it (`"$schema": "./mapping.schema.json"`) to get completion and checks
 * while typing.
 */
export const schemaCommand: CommandModule<object, object> = {
  command: 'schema',
  describe: 'Print the JSON Schema of a mapping document (for editors: "$schema" in JSON mappings)',
  builder: (yargs) => yargs.epilogue('Example: dynamic-migrate schema > mappings/mapping.schema.json'),
  handler: async () => {
    // Loaded on use, so `--help` and the other commands start fast.
    const { mappingJsonSchema } = await import('../../mapping/index.js');
    process.stdout.write(`${JSON.stringify(mappingJsonSchema(), null, 2)}\n`);
  },
};
