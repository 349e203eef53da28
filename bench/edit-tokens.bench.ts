/**
 * Output tokens a model spends to make a small edit to a 300-line file: a unified diff (the
 * patch-task answer format) against regenerating the whole file (what a fragment does today),
 * counted with core's estimator and, when `gpt-tokenizer` loads, exactly with o200k_base. The
 * figures go to `pnpm bench` through the report contract (bench/README.md), counted with the most
 * exact tokenizer loaded. Issue #8 asks that edits cost less than regenerating the file; it sets no number.
 *
 * Run from the repository root: pnpm exec tsx bench/edit-tokens.bench.ts
 */
import { createUnifiedDiff } from '../packages/core/src/diff/createUnifiedDiff.js';
import { loadGptTokenizer } from '../packages/core/src/tokens/gptTokenizer.js';
import { estimateTokens, type Tokenizer } from '../packages/core/src/tokens/tokenizer.js';
import { type BenchRow, reportBench } from '../scripts/benchReport.js';

const fileLineCount = 300;

/** A plausible 300-line TypeScript module: 25 small exported functions of 12 lines each. */
function sourceFile(): string {
  const lines: string[] = [];
  for (let index = 0; lines.length < fileLineCount; index += 1) {
    lines.push(
      `/** Formats the ${index}th metric of a dashboard row. */`,
      `export function formatMetric${index}(row: DashboardRow, locale = 'en-US'): string {`,
      `  const value = row.metrics[${index}] ?? 0;`,
      `  if (!Number.isFinite(value)) {`,
      `    return row.fallbackLabel ?? 'n/a';`,
      '  }',
      `  const formatter = new Intl.NumberFormat(locale, { maximumFractionDigits: ${index % 4} });`,
      `  const unit = row.units[${index}] ?? '';`,
      "  return unit ? formatter.format(value) + ' ' + unit : formatter.format(value);",
      '}',
      '',
      `export const metric${index}Label = 'Metric ${index}';`,
    );
  }
  return `${lines.slice(0, fileLineCount).join('\n')}\n`;
}

function editLines(source: string, lineNumbers: number[]): string {
  const lines = source.split('\n');
  for (const lineNumber of lineNumbers) {
    lines[lineNumber - 1] = lines[lineNumber - 1]!.replace('maximumFractionDigits', 'minimumFractionDigits');
  }
  return lines.join('\n');
}

interface Scenario {
  name: string;
  changedLines: number[];
}

const scenarios: Scenario[] = [
  { name: 'one-line change', changedLines: [151] },
  { name: 'five scattered one-line changes', changedLines: [7, 79, 151, 211, 283] },
];

const fence = (language: string, body: string) => `\`\`\`${language}\n${body}\`\`\`\n`;

async function main(): Promise<void> {
  const tokenizers: Tokenizer[] = [{ name: 'estimate', count: estimateTokens }];
  try {
    tokenizers.push(await loadGptTokenizer('o200k_base'));
  } catch {
    console.warn('gpt-tokenizer is not installed; showing the estimate only.');
  }

  const before = sourceFile();
  const rows: BenchRow[] = [];
  const lines = [
    `Output tokens for edits to a ${fileLineCount}-line TypeScript file (${before.length} characters).`,
    '',
    `| scenario | answer format | ${tokenizers.map((tokenizer) => `${tokenizer.name} tokens`).join(' | ')} | full file ÷ this (${tokenizers.at(-1)!.name}) |`,
    `|---|---|${tokenizers.map(() => '---:').join('|')}|---:|`,
  ];
  for (const scenario of scenarios) {
    const after = editLines(before, scenario.changedLines);
    const answers = [
      { format: 'full file, fenced (baseline)', text: fence('ts', after) },
      { format: 'full file in fragment JSON', text: JSON.stringify({ file_path: 'src/metrics.ts', code: after }) },
      {
        format: 'unified diff, fenced, 3 context lines',
        text: fence('diff', createUnifiedDiff('src/metrics.ts', before, after)),
      },
      {
        format: 'unified diff, fenced, 1 context line',
        text: fence('diff', createUnifiedDiff('src/metrics.ts', before, after, { context: 1 })),
      },
    ];
    const baselineCounter = tokenizers.at(-1)!;
    const baseline = baselineCounter.count(answers[0]!.text);
    for (const answer of answers) {
      const counts = tokenizers.map((tokenizer) => tokenizer.count(answer.text));
      const ratio = baseline / baselineCounter.count(answer.text);
      lines.push(`| ${scenario.name} | ${answer.format} | ${counts.join(' | ')} | ${ratio.toFixed(1)}× |`);
      if (answer === answers[0]) continue;
      const value = baselineCounter.count(answer.text);
      // Issue #8's case: one line changed, answered in the patch task's format (3 lines of context).
      const isPatchFormat = answer === answers[2] && scenario === scenarios[0];
      rows.push({
        figure: `output tokens, ${scenario.name} in a ${fileLineCount}-line file: ${answer.format} (baseline: full file, fenced; ${baselineCounter.name})`,
        value,
        unit: 'tokens',
        baseline,
        ratio: value / baseline,
        target: isPatchFormat ? '< regenerating the file' : null,
        met: isPatchFormat ? value < baseline : null,
      });
    }
  }
  console.log(lines.join('\n'));
  reportBench({ rows });
}

await main();
