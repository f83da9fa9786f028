import { writeFileSync } from 'node:fs';
import { installedVersion, publishedDay, renderPriceModule, SOURCE_NAME, sourceProviders } from './llm-price-data.ts';

/** Writes packages/core/src/pricing/source/data.ts from the installed @pydantic/genai-prices. */
const version = installedVersion();
const target = new URL('../packages/core/src/pricing/source/data.ts', import.meta.url);
writeFileSync(
  target,
  renderPriceModule({ name: SOURCE_NAME, version, published: publishedDay(version), providers: sourceProviders() }),
);
console.log(`wrote ${target.pathname} from ${SOURCE_NAME} ${version}`);
