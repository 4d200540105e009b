/** Header names under which every record carries its Connect-style source coordinates. */
export const SOURCE_HEADERS = {
  connector: 'inlet.connector',
  partition: 'inlet.source.partition',
  offset: 'inlet.source.offset',
} as const;
