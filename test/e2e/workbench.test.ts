// The workbench in real headless Chromium against `serve()` on the generated tiny model: paste, run, the three
// views, CSV/JSON export, compare mode, evidence, errors, progress and cancel, file drop, layout, and the API-key prompt.
// Needs the built page (web/dist): `npm run build`.
import { describe, it, before, after, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { parse } from 'csv-parse/sync';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { serve, type ServeHandle } from '../../src/server/index.js';
import type { EvidenceSpan } from '../../src/spec/types.js';
import { DEFAULT_WEB_ROOT } from '../../src/server/web-ui.js';
import { ensureTestModel } from '../helpers/test-models.js';

const OUTPUT_DIR = 'test-output';
const QUERY = 'How do I save a PyTorch model?';
const QUERY_B = 'How do I save a TensorFlow model?';
const DOCUMENTS = [
  'Save the learned parameters with torch.save(model.state_dict(), PATH).',
  'To install PyTorch, pick your platform on pytorch.org.',
  'Keras models are saved with model.save("model.keras"), then loaded again.',
  'A pickle file serialises arbitrary Python objects.',
  'TensorFlow SavedModel is written by tf.saved_model.save.',
  'Checkpoints store the state_dict, the optimizer and the epoch.',
  'The forums help with CUDA out-of-memory errors.',
  'ONNX export: torch.onnx.export(model, example_input, "model.onnx").',
  'Our bakery saves the best loaves for Saturday.',
  'Lightning wraps the training loop and checkpoint callbacks.',
];

interface ApiResult {
  index: number;
  relevance_score: number;
  window?: { index: number; count: number; start_token: number; end_token: number };
  evidence?: EvidenceSpan[];
}

/** Chromium flags for a sandbox-less CI container without a GPU or network. */
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

async function startServer(apiKeys: string[] = []): Promise<ServeHandle> {
  const handle = await serve({ reranker: { model: await ensureTestModel('tiny') }, port: 0, logLevel: false, handleSignals: false, apiKeys });
  await handle.ready;
  return handle;
}

/** Results straight from the API, as any client gets them: the page must show exactly these. */
async function apiRerank(server: ServeHandle, body: Record<string, unknown>, apiKey?: string): Promise<ApiResult[]> {
  const response = await fetch(`${server.url}/api/rerank`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(apiKey ? { authorization: `Bearer ${apiKey}` } : {}) },
    body: JSON.stringify(body),
  });
  assert.equal(response.status, 200);
  return ((await response.json()) as { results: Array<{ results: ApiResult[] }> }).results[0]!.results;
}

/** Document index → score for `query` over `DOCUMENTS`. */
async function apiScores(server: ServeHandle, query: string, apiKey?: string): Promise<Map<number, number>> {
  const results = await apiRerank(server, { queries: [query], documents: DOCUMENTS }, apiKey);
  return new Map(results.map((r) => [r.index, r.relevance_score]));
}

async function openPage(context: BrowserContext, server: ServeHandle): Promise<Page> {
  const page = await context.newPage();
  await page.goto(`${server.url}/`);
  await page.getByTestId('engine-state').filter({ hasText: 'ready' }).waitFor();
  return page;
}

/** A real Ctrl+V: the text goes through the system clipboard into the focused box. */
async function paste(page: Page, selector: string, text: string): Promise<void> {
  await page.evaluate((value) => navigator.clipboard.writeText(value), text);
  await page.locator(selector).focus();
  await page.keyboard.press('Control+V');
}

/** Runs with Ctrl+Enter and waits until the run has finished (results, error or cancel). */
async function runWithKeyboard(page: Page): Promise<void> {
  const before = Number(await page.locator('main').getAttribute('data-finished-runs'));
  await page.keyboard.press('Control+Enter');
  await page.locator(`main[data-finished-runs="${before + 1}"]`).waitFor();
}

async function fillQueryAndDocuments(page: Page, query = QUERY): Promise<void> {
  await page.locator('#query').fill(query);
  await paste(page, '#documents', DOCUMENTS.join('\n'));
  await page.getByTestId('document-count').filter({ hasText: `${DOCUMENTS.length} documents` }).waitFor();
}

async function setMinScore(page: Page, value: number): Promise<void> {
  await page.locator('#min-score').fill(String(value));
}

/** The median score: a threshold with documents on both sides of it. */
function median(scores: Iterable<number>): number {
  const sorted = [...scores].sort((a, b) => a - b);
  return (sorted[4]! + sorted[5]!) / 2;
}

describe('workbench in Chromium on the tiny model', () => {
  let server: ServeHandle;
  let browser: Browser;
  let context: BrowserContext;
  let pageErrors: string[];
  let scoresA: Map<number, number>;

  before(async () => {
    assert.ok(existsSync(`${DEFAULT_WEB_ROOT}index.html`), `${DEFAULT_WEB_ROOT}index.html is missing: run \`npm run build\``);
    await mkdir(OUTPUT_DIR, { recursive: true });
    server = await startServer();
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
    scoresA = await apiScores(server, QUERY);
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });
  beforeEach(async () => {
    context = await browser.newContext({ viewport: { width: 1280, height: 800 }, acceptDownloads: true });
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.url });
    pageErrors = [];
    context.on('weberror', (error) => pageErrors.push(error.error().message));
  });
  afterEach(async () => {
    await context.close();
    assert.deepEqual(pageErrors, [], 'no uncaught errors in the page');
  });

  it('shows the engine status from /ready with the demo badge', async () => {
    const page = await openPage(context, server);
    const status = page.getByRole('region', { name: 'Engine status' });
    await assert.doesNotReject(status.getByText('qwen3-tiny.random-weights', { exact: true }).waitFor());
    assert.match(await status.innerText(), /engine: onnx[\s\S]*device: cpu/);
    assert.match(await page.getByTestId('engine-state').innerText(), /ready · loaded in \d/);
    assert.equal(await page.getByTestId('demo-badge').innerText(), 'DEMO: random weights, scores are meaningless');
  });

  it('reranks a pasted query and 10 documents into cards: score order, API scores, movement, highlights, dimming', async () => {
    const page = await openPage(context, server);
    await fillQueryAndDocuments(page);
    const threshold = median(scoresA.values());
    await setMinScore(page, threshold);
    await runWithKeyboard(page);

    const cards = page.locator('.card');
    assert.equal(await cards.count(), 10);
    const shown = await cards.evaluateAll((elements) => elements.map((card) => ({
      index: Number(card.getAttribute('data-index')),
      rank: Number(card.getAttribute('data-rank')),
      score: Number(card.querySelector('.score-value')?.getAttribute('data-score')),
      movement: Number(card.querySelector('.movement')?.getAttribute('data-movement')),
      top: card.classList.contains('top'),
      dimmed: card.classList.contains('below'),
      marks: [...card.querySelectorAll('.card-text mark')].map((mark) => mark.textContent?.toLowerCase()),
    })));
    assert.deepEqual(shown.map((card) => card.rank), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    for (const card of shown) {
      assert.equal(card.score, scoresA.get(card.index), `card for document ${card.index} shows the API's score`);
      assert.equal(card.movement, card.index - (card.rank - 1), `movement of document ${card.index}`);
      assert.equal(card.dimmed, card.score < threshold, `dimming of document ${card.index}`);
      assert.equal(card.top, card.rank === 1);
      const text = DOCUMENTS[card.index]!.toLowerCase();
      const expectedMarks = ['pytorch', 'save', 'model'].filter((term) => new RegExp(`(?<![\\p{L}\\p{N}])${term}(?![\\p{L}\\p{N}])`, 'u').test(text));
      assert.deepEqual([...new Set(card.marks)].sort(), expectedMarks.sort(), `highlights in document ${card.index}`);
    }
    const scores = shown.map((card) => card.score);
    assert.deepEqual(scores, [...scores].sort((a, b) => b - a));
    await page.screenshot({ path: `${OUTPUT_DIR}/workbench-cards.png` });
  });

  it('sorts the table by score and by input position, filters it, and exports CSV and JSON of what it shows', async () => {
    const page = await openPage(context, server);
    await fillQueryAndDocuments(page);
    await runWithKeyboard(page);
    await page.getByRole('tab', { name: 'Table' }).click();
    const rowIndexes = (): Promise<number[]> =>
      page.locator('.data-table tbody tr').evaluateAll((rows) => rows.map((row) => Number(row.getAttribute('data-index'))));
    const byScore = [...scoresA.entries()].sort((a, b) => b[1] - a[1] || a[0] - b[0]).map(([index]) => index);

    await page.locator('.sort-button[data-column="score"]').click();
    assert.deepEqual(await rowIndexes(), byScore, 'score, descending first');
    await page.locator('.sort-button[data-column="score"]').click();
    assert.deepEqual(await rowIndexes(), [...byScore].reverse(), 'score, ascending');
    await page.locator('.sort-button[data-column="index"]').click();
    assert.deepEqual(await rowIndexes(), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], 'input position, ascending');
    await page.locator('.sort-button[data-column="index"]').click();
    assert.deepEqual(await rowIndexes(), [9, 8, 7, 6, 5, 4, 3, 2, 1, 0], 'input position, descending');
    await page.screenshot({ path: `${OUTPUT_DIR}/workbench-table.png` });

    const [csvDownload] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export CSV' }).click()]);
    const csv = parse(await readFile((await csvDownload.path())!, 'utf8'), { columns: true }) as Array<Record<string, string>>;
    assert.deepEqual(csv.map((row) => Number(row.index)), [9, 8, 7, 6, 5, 4, 3, 2, 1, 0], 'CSV rows in the table order');
    for (const row of csv) {
      const index = Number(row.index);
      assert.equal(row.text, DOCUMENTS[index], 'text survives CSV quoting (commas, quotes)');
      assert.equal(Number(row.score), scoresA.get(index));
      assert.equal(Number(row.rank), byScore.indexOf(index) + 1);
      assert.equal(Number(row.rank_change), index - byScore.indexOf(index));
      assert.ok(Number.isFinite(Number(row.logit)) && Number(row.input_tokens) > 0);
    }
    assert.ok(!('best_evidence' in csv[0]!) && !('evidence' in csv[0]!), 'no evidence columns without evidence');
    assert.equal(await page.locator('th[data-column="bestEvidence"]').count(), 0);

    await page.getByRole('searchbox', { name: 'Filter rows by text' }).fill('torch');
    const filtered = DOCUMENTS.flatMap((text, index) => (text.toLowerCase().includes('torch') ? [index] : []));
    assert.deepEqual((await rowIndexes()).sort(), filtered.sort());
    const [jsonDownload] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export JSON' }).click()]);
    const json = JSON.parse(await readFile((await jsonDownload.path())!, 'utf8')) as Array<{ index: number; score: number }>;
    assert.deepEqual(json.map((row) => row.index).sort(), filtered.sort(), 'JSON export holds the filtered rows');
    assert.ok(json.every((row) => row.score === scoresA.get(row.index)));
  });

  it('charts one point per document in rank order with the threshold line; hovering a point shows its document', async () => {
    const page = await openPage(context, server);
    await fillQueryAndDocuments(page);
    const threshold = median(scoresA.values());
    await setMinScore(page, threshold);
    await runWithKeyboard(page);
    await page.getByRole('tab', { name: 'Chart' }).click();

    const points = await page.locator('circle.point').evaluateAll((circles) => circles.map((circle) => ({
      rank: Number(circle.getAttribute('data-rank')),
      index: Number(circle.getAttribute('data-index')),
      cx: Number(circle.getAttribute('cx')),
      cy: Number(circle.getAttribute('cy')),
    })));
    assert.equal(points.length, 10);
    const thresholdY = Number(await page.locator('[data-testid="threshold"] line').getAttribute('y1'));
    for (let i = 0; i < points.length; i++) {
      const point = points[i]!;
      assert.equal(point.rank, i + 1);
      if (i > 0) {
        assert.ok(point.cx > points[i - 1]!.cx, 'ranks go left to right');
        assert.ok(point.cy >= points[i - 1]!.cy, 'scores fall (SVG y grows downwards)');
      }
      assert.equal(point.cy <= thresholdY, scoresA.get(point.index)! >= threshold, `point ${point.rank} on the right side of the threshold`);
    }
    await page.locator('circle.point[data-rank="3"]').hover();
    const tooltip = page.getByRole('tooltip');
    assert.match(await tooltip.innerText(), /^#3 · score \d\.\d{4}/);
    assert.ok((await tooltip.innerText()).includes(DOCUMENTS[points[2]!.index]!));
    await page.screenshot({ path: `${OUTPUT_DIR}/workbench-chart.png` });
  });

  it('compares two queries side by side with the rank change of every document', async () => {
    const scoresB = await apiScores(server, QUERY_B);
    const page = await openPage(context, server);
    await fillQueryAndDocuments(page);
    await page.locator('#compare').selectOption('query');
    await page.locator('#query-b').fill(QUERY_B);
    await runWithKeyboard(page);

    const column = (side: 'a' | 'b') => page.locator(`.compare-column[data-side="${side}"] .compare-row`).evaluateAll((rows) =>
      rows.map((row) => ({
        index: Number(row.getAttribute('data-index')),
        rank: Number(row.getAttribute('data-rank')),
        score: Number(row.querySelector('.score-value')?.getAttribute('data-score')),
        change: Number(row.querySelector('.movement')?.getAttribute('data-movement')),
      })));
    const a = await column('a');
    const b = await column('b');
    assert.equal(a.length, 10);
    assert.equal(b.length, 10);
    const rankInA = new Map(a.map((row) => [row.index, row.rank]));
    for (const row of a) assert.equal(row.score, scoresA.get(row.index));
    for (const row of b) {
      assert.equal(row.score, scoresB.get(row.index), `B shows the API's score for document ${row.index}`);
      assert.equal(row.change, rankInA.get(row.index)! - row.rank, `rank change of document ${row.index}`);
    }
    // Kendall's tau-a over the document pairs (https://en.wikipedia.org/wiki/Kendall_rank_correlation_coefficient).
    let balance = 0;
    for (let i = 0; i < b.length; i++) for (let j = i + 1; j < b.length; j++) balance += Math.sign(rankInA.get(b[j]!.index)! - rankInA.get(b[i]!.index)!);
    assert.equal(await page.getByTestId('kendall-tau').innerText(), (balance / 45).toFixed(2));
    await page.screenshot({ path: `${OUTPUT_DIR}/workbench-compare.png` });

    await page.getByRole('tab', { name: 'Chart' }).click();
    assert.equal(await page.locator('.series-0 circle.point').count(), 10);
    assert.equal(await page.locator('.series-1 circle.point').count(), 10);
  });

  it('marks the evidence spans in the cards with score and logit, adds a sortable Best evidence column and exports the spans', async () => {
    const documents = [
      'PyTorch writes models with torch.save. Save the state_dict, not the whole model. Load it again with load_state_dict.',
      'Our bakery opens at eight. Fresh loaves come out every Saturday. We save the best ones for regulars.',
      'Checkpoints hold the optimizer state too. Write one every epoch, then resume from the last.',
    ];
    const expected = new Map((await apiRerank(server, { queries: [QUERY], documents, evidence: 2 })).map((r) => [r.index, r.evidence ?? []]));
    assert.ok([...expected.values()].some((spans) => spans.length === 2), 'the API finds two spans in some document');
    const describe = (rank: number, spans: EvidenceSpan[]): string =>
      `Evidence ${rank} of ${spans.length}: score ${spans[rank - 1]!.score.toFixed(4)}, logit ${spans[rank - 1]!.logit.toFixed(2)}`;

    const page = await openPage(context, server);
    await page.locator('#query').fill(QUERY);
    await page.locator('#documents').fill(documents.join('\n'));
    await page.locator('#evidence').selectOption('2');
    await setMinScore(page, 0); // undimmed cards for the screenshot: the tiny model's scores are all low
    await runWithKeyboard(page);
    const cards = await page.locator('.card').evaluateAll((elements) => elements.map((card) => ({
      index: Number(card.getAttribute('data-index')),
      text: card.querySelector('.card-text')?.textContent,
      marks: [...card.querySelectorAll<HTMLElement>('.card-text mark.evidence')].map((mark) => ({
        rank: Number(mark.getAttribute('data-rank')),
        text: mark.textContent,
        title: mark.title,
        description: document.getElementById(mark.getAttribute('aria-describedby') ?? '')?.textContent,
        shade: mark.style.getPropertyValue('--evidence-shade'),
      })),
    })));
    assert.equal(cards.length, 3);
    for (const card of cards) {
      const spans = expected.get(card.index)!;
      assert.equal(card.text, documents[card.index], 'the marks leave the text as it is');
      const inDocumentOrder = spans.map((span, i) => ({ rank: i + 1, span })).sort((a, b) => a.span.start - b.span.start);
      assert.deepEqual(card.marks, inDocumentOrder.map(({ rank, span }) => ({
        rank,
        text: span.text,
        title: describe(rank, spans),
        description: describe(rank, spans),
        shade: `${((0.1 + 0.7 * span.score) * 100).toFixed(1)}%`,
      })), `evidence marks of document ${card.index}`);
    }
    await page.screenshot({ path: `${OUTPUT_DIR}/workbench-evidence.png` });

    await page.getByRole('tab', { name: 'Table' }).click();
    assert.equal(await page.locator('th[data-column="bestEvidence"]').innerText(), 'Best evidence');
    await page.locator('.sort-button[data-column="bestEvidence"]').click();
    const rows = await page.locator('.data-table tbody tr').evaluateAll((trs) =>
      trs.map((tr) => ({ index: Number(tr.getAttribute('data-index')), evidence: tr.querySelector('.evidence-cell')?.textContent })));
    const byBestEvidence = [...expected.entries()].sort((a, b) => b[1][0]!.score - a[1][0]!.score);
    assert.deepEqual(rows.map((row) => row.index), byBestEvidence.map(([index]) => index), 'sorted by the best span’s score, best first');
    for (const row of rows) {
      const best = expected.get(row.index)![0]!;
      assert.equal(row.evidence, `${best.score.toFixed(4)} ${best.text}`);
    }

    const [csvDownload] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export CSV' }).click()]);
    const csv = parse(await readFile((await csvDownload.path())!, 'utf8'), { columns: true }) as Array<Record<string, string>>;
    assert.deepEqual(csv.map((row) => Number(row.index)), byBestEvidence.map(([index]) => index));
    for (const row of csv) {
      const spans = expected.get(Number(row.index))!;
      assert.equal(row.best_evidence, spans[0]!.text);
      assert.equal(Number(row.best_evidence_score), spans[0]!.score);
      assert.deepEqual(JSON.parse(row.evidence!), spans);
    }
    const [jsonDownload] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export JSON' }).click()]);
    const json = JSON.parse(await readFile((await jsonDownload.path())!, 'utf8')) as Array<{ index: number; best_evidence: string; best_evidence_score: number; evidence: EvidenceSpan[] }>;
    for (const row of json) {
      const spans = expected.get(row.index)!;
      assert.deepEqual({ best: row.best_evidence, score: row.best_evidence_score, evidence: row.evidence }, { best: spans[0]!.text, score: spans[0]!.score, evidence: spans });
    }
  });

  it('shows which window of a long document scored best in windows mode', async () => {
    const longDocument = Array.from({ length: 300 }, (_, i) => `sentence ${i} about reranking latency and caches.`).join(' ');
    const query = 'Which sentence talks about sentence 277?';
    const documents = [longDocument, 'a short document'];
    const expected = await apiRerank(server, { queries: [query], documents, max_length: 256, long_documents: 'windows' });
    const window = expected.find((result) => result.index === 0)?.window;
    assert.ok(window && window.count > 1, 'the API splits the long document');

    const page = await openPage(context, server);
    await page.locator('#query').fill(query);
    await page.locator('#documents').fill(documents.join('\n'));
    await page.locator('#max-length').fill('256');
    await page.locator('#long-documents').selectOption('windows');
    await runWithKeyboard(page);
    const shown = await page.locator('.card[data-index="0"] .card-window').innerText();
    assert.ok(
      shown.startsWith(`Best window ${window.index + 1} of ${window.count} (tokens ${window.start_token}–${window.end_token})`),
      shown,
    );
    assert.equal(await page.locator('.card[data-index="1"] .card-window').count(), 0, 'a short document has no windows');
  });

  it("shows the server's error for an empty document list as a readable message", async () => {
    const page = await openPage(context, server);
    await page.locator('#query').fill(QUERY);
    await runWithKeyboard(page);
    const alert = page.getByRole('alert');
    assert.equal(await alert.getAttribute('data-code'), 'invalid_input');
    const text = await alert.innerText();
    assert.match(text, /The request was not accepted/);
    assert.match(text, /Input: documents/);
    assert.equal(await page.locator('.card').count(), 0);
  });

  it('imports a spreadsheet column from the clipboard and a dropped JSONL file', async () => {
    const page = await openPage(context, server);
    // Google Sheets / Excel put cells on the clipboard as TSV, quoting cells with line breaks.
    await paste(page, '#documents', 'id\ttitle\ttext\n1\tSaving\t"torch.save writes\na state_dict"\n2\tBakery\tBread is baked daily');
    const importBar = page.getByRole('group', { name: 'Choose the column to import' });
    assert.match(await importBar.innerText(), /2 rows × 3 columns/);
    assert.equal(await importBar.getByRole('combobox').inputValue(), '2', 'the longest column is suggested');
    await importBar.getByRole('button', { name: 'Import column' }).click();
    assert.equal(await page.locator('#documents').inputValue(), 'torch.save writes a state_dict\nBread is baked daily');

    const jsonl = ['"plain string document"', '{"text": "object with text", "id": 7}', '{"title": "Title", "text": "and body"}'].join('\n');
    const dataTransfer = await page.evaluateHandle((content) => {
      const transfer = new DataTransfer();
      transfer.items.add(new File([content], 'candidates.jsonl', { type: 'application/x-ndjson' }));
      return transfer;
    }, jsonl);
    await page.locator('.drop-zone').dispatchEvent('drop', { dataTransfer });
    await page.getByTestId('document-count').filter({ hasText: '3 documents' }).waitFor();
    assert.equal(await page.locator('#documents').inputValue(), 'plain string document\nobject with text\nTitle: and body');
  });

  it('shows progress while scoring and cancels on request', async () => {
    const page = await openPage(context, server);
    const many = Array.from({ length: 60 }, (_, i) => `document ${i}: ${'reranking latency and cache behaviour under load. '.repeat(30)}`);
    await page.locator('#query').fill(QUERY);
    await page.locator('#documents').fill(many.join('\n'));
    await page.keyboard.press('Control+Enter');
    await page.getByTestId('progress').filter({ hasText: /Scored \d+ of 60 documents/ }).waitFor();
    await page.getByRole('button', { name: 'Cancel' }).click();
    const notice = await page.getByRole('status').filter({ hasText: 'Cancelled' }).innerText();
    const scored = Number(/Cancelled after (\d+) of 60/.exec(notice)?.[1]);
    assert.ok(scored < 60, `cancelled after ${scored} documents`);
    assert.equal(await page.locator('.card').count(), 0, 'a cancelled run shows no partial ranking');
    assert.equal(await page.getByRole('alert').count(), 0, 'cancelling is not an error');
  });

  it('fits 1280×800 and a narrow window without horizontal scrolling', async () => {
    const page = await openPage(context, server);
    await fillQueryAndDocuments(page);
    await runWithKeyboard(page);
    const overflow = (): Promise<number> => page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok((await overflow()) <= 0);
    const runButton = await page.getByRole('button', { name: /Rerank/ }).boundingBox();
    assert.ok(runButton && runButton.y + runButton.height <= 800, 'the run button is on screen at 1280×800');
    const firstCard = await page.locator('.card').first().boundingBox();
    assert.ok(firstCard && firstCard.x > 380 && firstCard.y < 200, 'results sit right of the controls');

    await page.setViewportSize({ width: 400, height: 860 });
    for (const view of ['Cards', 'Table', 'Chart']) {
      await page.getByRole('tab', { name: view }).click();
      assert.ok((await overflow()) <= 0, `no horizontal scrolling in the ${view} view at 400 px`);
    }
    await page.getByRole('tab', { name: 'Cards' }).click();
    const narrowCard = await page.locator('.card').first().boundingBox();
    assert.ok(narrowCard && narrowCard.width > 340, 'cards use the full width below the controls');
    await page.screenshot({ path: `${OUTPUT_DIR}/workbench-narrow.png`, fullPage: true });
  });
});

describe('workbench against a server with an API key', () => {
  const apiKey = 'workbench-test-key';
  let server: ServeHandle;
  let browser: Browser;

  before(async () => {
    server = await startServer([apiKey]);
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });

  async function newContext(): Promise<BrowserContext> {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.url });
    return context;
  }

  it('asks for the key once after a 401 and keeps it for the tab', async () => {
    const context = await newContext();
    const page = await openPage(context, server);
    await fillQueryAndDocuments(page);

    await page.keyboard.press('Control+Enter');
    const dialog = page.getByRole('dialog', { name: 'API key' });
    await dialog.getByLabel('API key').fill(apiKey);
    await dialog.getByRole('button', { name: 'Use key' }).click();
    await page.locator('main[data-finished-runs="1"]').waitFor();
    assert.equal(await page.locator('.card').count(), 10);
    const scores = await apiScores(server, QUERY, apiKey);
    assert.equal(Number(await page.locator('.card[data-rank="1"] .score-value').getAttribute('data-score')), Math.max(...scores.values()));
    assert.equal(await page.evaluate(() => sessionStorage.getItem('qwen-ranker.api-key')), apiKey);

    await runWithKeyboard(page);
    assert.equal(await dialog.count(), 0, 'no second question');
    assert.equal(await page.getByRole('alert').count(), 0);

    await context.close();
  });

  it('shows "API key required" when the user declines to give one', async () => {
    const context = await newContext();
    const page = await openPage(context, server);
    await fillQueryAndDocuments(page);
    await page.keyboard.press('Control+Enter');
    await page.getByRole('dialog', { name: 'API key' }).getByRole('button', { name: 'Cancel' }).click();
    await page.locator('main[data-finished-runs="1"]').waitFor();
    const alert = page.getByRole('alert');
    assert.equal(await alert.getAttribute('data-code'), 'unauthorized');
    assert.match(await alert.innerText(), /API key required/);
    await context.close();
  });
});
