import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { COLLECTOR_DIR } from './tools.ts';

export const RULES_DIR: string = join(COLLECTOR_DIR, 'prometheus', 'rules');

interface RuleFile {
  groups: { name: string; rules: { record?: string; alert?: string; expr: string }[] }[];
}

function rules(file: string): RuleFile['groups'][number]['rules'] {
  const parsed = parse(readFileSync(join(RULES_DIR, file), 'utf8')) as RuleFile;
  return parsed.groups.flatMap((group) => group.rules);
}

/** Every recording rule: its name and expression. */
export function recordingRules(): { record: string; expr: string }[] {
  return rules('recording.yml').map((rule) => ({ record: rule.record!, expr: rule.expr }));
}

/** Every alert rule: its name and expression. */
export function alertRules(): { alert: string; expr: string }[] {
  return rules('alerts.yml').map((rule) => ({ alert: rule.alert!, expr: rule.expr }));
}
