import { describe, expect, it } from 'vitest';
import { emfToPutMetricData, LineSplitter, parseEmfLine } from '../../../local/emf-bridge.ts';

function anEmfLine(overrides: Record<string, unknown> = {}): string {
  return JSON.stringify({
    _aws: {
      Timestamp: 1_763_784_000_000,
      CloudWatchMetrics: [
        {
          Namespace: 'OrderPipeline',
          Dimensions: [['service']],
          Metrics: [
            { Name: 'FilesProcessed', Unit: 'Count' },
            { Name: 'FileProcessingTime', Unit: 'Milliseconds' },
          ],
        },
      ],
    },
    service: 'order-processor',
    FilesProcessed: 1,
    FileProcessingTime: [120, 80],
    ...overrides,
  });
}

describe('parseEmfLine', () => {
  it('recognises an EMF document', () => {
    // Act
    const doc = parseEmfLine(anEmfLine());

    // Assess
    expect(doc?._aws.CloudWatchMetrics[0]?.Namespace).toBe('OrderPipeline');
  });

  it.each([
    ['a plain log line', 'processing file raw-data/a.csv'],
    ['a JSON log line', '{"level":"INFO","message":"done"}'],
    ['broken JSON mentioning _aws', '{"_aws": '],
    ['_aws that is not an object', '{"_aws": 3}'],
  ])('ignores %s', (_name, line) => {
    // Assess
    expect(parseEmfLine(line)).toBeNull();
  });
});

describe('emfToPutMetricData', () => {
  it('turns each value into a datum with its dimensions, unit and timestamp', () => {
    // Prepare
    const doc = parseEmfLine(anEmfLine())!;

    // Act
    const requests = emfToPutMetricData(doc);

    // Assess
    expect(requests).toHaveLength(1);
    expect(requests[0]!.Namespace).toBe('OrderPipeline');
    expect(requests[0]!.MetricData).toEqual([
      { MetricName: 'FilesProcessed', Dimensions: [{ Name: 'service', Value: 'order-processor' }], Value: 1, Unit: 'Count', Timestamp: new Date(1_763_784_000_000) },
      { MetricName: 'FileProcessingTime', Dimensions: [{ Name: 'service', Value: 'order-processor' }], Value: 120, Unit: 'Milliseconds', Timestamp: new Date(1_763_784_000_000) },
      { MetricName: 'FileProcessingTime', Dimensions: [{ Name: 'service', Value: 'order-processor' }], Value: 80, Unit: 'Milliseconds', Timestamp: new Date(1_763_784_000_000) },
    ]);
  });

  it('publishes a metric once per dimension set', () => {
    // Prepare
    const doc = parseEmfLine(
      JSON.stringify({
        _aws: { Timestamp: 1, CloudWatchMetrics: [{ Namespace: 'N', Dimensions: [['service'], ['service', 'stage']], Metrics: [{ Name: 'M' }] }] },
        service: 's',
        stage: 'local',
        M: 2,
      }),
    )!;

    // Act
    const data = emfToPutMetricData(doc)[0]!.MetricData!;

    // Assess
    expect(data.map((d) => d.Dimensions)).toEqual([
      [{ Name: 'service', Value: 's' }],
      [
        { Name: 'service', Value: 's' },
        { Name: 'stage', Value: 'local' },
      ],
    ]);
    expect(data[0]).not.toHaveProperty('Unit');
  });

  it('splits large documents into chunks', () => {
    // Prepare
    const doc = parseEmfLine(anEmfLine({ FileProcessingTime: Array.from({ length: 45 }, (_, i) => i) }))!;

    // Act
    const requests = emfToPutMetricData(doc, 20);

    // Assess
    expect(requests.map((r) => r.MetricData!.length)).toEqual([20, 20, 6]);
  });

  it('skips metrics without a numeric value', () => {
    // Prepare
    const doc = parseEmfLine(anEmfLine({ FilesProcessed: 'one', FileProcessingTime: undefined }))!;

    // Act
    const requests = emfToPutMetricData(doc);

    // Assess
    expect(requests.flatMap((r) => r.MetricData ?? [])).toEqual([]);
  });
});

describe('LineSplitter', () => {
  it('returns complete lines and keeps the unfinished tail', () => {
    // Prepare
    const splitter = new LineSplitter();

    // Act
    const first = splitter.push('a\nb');
    const second = splitter.push('c\nd\n');
    const rest = splitter.flush();

    // Assess
    expect(first).toEqual(['a']);
    expect(second).toEqual(['bc', 'd']);
    expect(rest).toEqual([]);
  });
});
