/** A tool call the simulated model makes. */
export interface SimToolCall {
  readonly id: string;
  readonly name: string;
  /** JSON-encoded arguments that satisfy the tool's schema's required properties. */
  readonly arguments: string;
}

type Loose = Record<string, unknown>;

function object(value: unknown): Loose | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Loose) : undefined;
}

function list(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

/** A value of a JSON schema's type: enough for a client to validate the call's arguments. */
function sample(schema: Loose | undefined): unknown {
  const enumValues = list(schema?.enum);
  if (enumValues.length > 0) return enumValues[0];
  switch (schema?.type) {
    case 'number':
    case 'integer':
      return 1;
    case 'boolean':
      return true;
    case 'array':
      return [];
    case 'object':
      return argumentsOf(schema);
    default:
      return 'sim';
  }
}

function argumentsOf(schema: Loose | undefined): Loose {
  const properties = object(schema?.properties) ?? {};
  const args: Loose = {};
  for (const name of list(schema?.required)) {
    if (typeof name === 'string') args[name] = sample(object(properties[name]));
  }
  return args;
}

/** The declared tools' names and argument schemas, in the OpenAI (chat, responses) and Anthropic shapes. */
function declaredTools(body: Loose): { name: string; schema: Loose | undefined }[] {
  return list(body.tools).flatMap((raw) => {
    const tool = object(raw);
    const fn = object(tool?.function);
    const name = fn?.name ?? tool?.name;
    if (typeof name !== 'string') return [];
    return [{ name, schema: object(fn?.parameters ?? tool?.parameters ?? tool?.input_schema) }];
  });
}

/** Whether the conversation already carries a tool's result (then the model answers in text). */
function hasToolResult(body: Loose): boolean {
  const items = [...list(body.messages), ...list(body.input)];
  return items.some((raw) => {
    const item = object(raw);
    if (item?.role === 'tool' || item?.type === 'function_call_output') return true;
    return list(item?.content).some((part) => object(part)?.type === 'tool_result');
  });
}

/**
 * The simulated model calls the first declared tool once: when the request declares tools, the
 * tool choice does not forbid them, and no tool result is in the conversation yet.
 */
export function toolCallFor(body: Loose, id: string): SimToolCall | undefined {
  if (body.tool_choice === 'none' || hasToolResult(body)) return undefined;
  const [tool] = declaredTools(body);
  if (tool === undefined) return undefined;
  return { id: `call_${id}`, name: tool.name, arguments: JSON.stringify(argumentsOf(tool.schema)) };
}
