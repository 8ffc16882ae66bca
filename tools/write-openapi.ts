import 'reflect-metadata';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runApp } from '@app/common/config';
import { projectRoot } from './infra/project-root';
import { buildOpenApiJson } from './openapi-json';

runApp('write-openapi', async () => {
  const file = join(projectRoot(), 'docs', 'openapi.json');
  writeFileSync(file, await buildOpenApiJson());
  process.stdout.write(`wrote ${file}\n`);
});
