import { describe, expect, it } from 'vitest';
import { fileNameProblem } from '../../../../functions/order-processor/contract/file-name.ts';

describe('fileNameProblem', () => {
  it.each(['raw-data/orders.csv', 'raw-data/a/b/orders.csv.gz', 'ORDERS.CSV', 'x.Csv.GZ', 'C:\\exports\\orders.csv'])(
    'accepts %j',
    (name) => {
      // Act / Assess
      expect(fileNameProblem(name)).toBeNull();
    },
  );

  it.each([
    ['raw-data/orders.txt', 'orders.txt'],
    ['raw-data/sub/orders.xlsx', 'orders.xlsx'],
    ['raw-data/orders', 'orders'],
    ['raw-data/orders.gz', 'orders.gz'],
    ['raw-data/orders.csv.zip', 'orders.csv.zip'],
    ['raw-data/orders.csv ', 'orders.csv '],
    ['C:\\exports\\orders.json', 'orders.json'],
  ])('rejects %j, naming the file', (name, base) => {
    // Act
    const problem = fileNameProblem(name);
    // Assess
    expect(problem).toBe(
      `the file name ${JSON.stringify(base)} does not end in .csv or .csv.gz; expected a CSV file named *.csv or *.csv.gz (upload a spreadsheet saved as "CSV UTF-8")`,
    );
  });
});
