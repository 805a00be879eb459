// The exports for GIS tools and field devices as download links (client/src/ui, issue 18): a convoy's route
// (GPX · KML · GeoJSON) and the whole picture (GeoJSON · KML · GPX), each as the server's sharing rules
// let the signed-in user see it. Plain links the browser downloads; the session cookie signs them in, as
// for the displacement exports. Mounted by the side panel.
import type { MessageKey } from '@corridor/protocol/i18n';
import { useWords } from '../i18n/use-words.js';
import './export-links.css';

type Format = 'gpx' | 'kml' | 'geojson';

/** The media type of each format, as the server answers it (the link says what it gives). */
const MEDIA_TYPES: Record<Format, string> = {
  gpx: 'application/gpx+xml',
  kml: 'application/vnd.google-earth.kml+xml',
  geojson: 'application/geo+json',
};

const LABELS: Record<Format, MessageKey> = { gpx: 'exports.gpx', kml: 'exports.kml', geojson: 'exports.geojson' };
const ROUTE_TITLES: Record<Format, MessageKey> = { gpx: 'exports.routeGpxTitle', kml: 'exports.routeKmlTitle', geojson: 'exports.routeGeojsonTitle' };
const PICTURE_TITLES: Record<Format, MessageKey> = { geojson: 'exports.pictureGeojsonTitle', kml: 'exports.pictureKmlTitle', gpx: 'exports.pictureGpxTitle' };

/** A row of download links: a label, then one link per format in the order given. */
function ExportRow({ labelKey, base, formats, titles, testId }: { labelKey: MessageKey; base: string; formats: Format[]; titles: Record<Format, MessageKey>; testId: string }) {
  const w = useWords();
  return (
    <span className="export-links" data-testid={testId}>
      {w.t(labelKey)}
      {formats.map((f) => (
        <a key={f} className="button" href={`${base}.${f}`} download type={MEDIA_TYPES[f]} title={w.t(titles[f])} data-testid={`${testId}-${f}`}>
          {w.t(LABELS[f])}
        </a>
      ))}
    </span>
  );
}

/** A convoy's route files: GPX for devices first, then KML and GeoJSON. */
export function RouteExports({ convoyId }: { convoyId: string }) {
  return <ExportRow labelKey="exports.route" base={`/api/convoys/${encodeURIComponent(convoyId)}/route`} formats={['gpx', 'kml', 'geojson']} titles={ROUTE_TITLES} testId={`route-exports-${convoyId}`} />;
}

/** The whole picture's files: GeoJSON for GIS first, then KML and GPX (which holds no zones). */
export function PictureExports() {
  return <ExportRow labelKey="exports.picture" base="/api/picture" formats={['geojson', 'kml', 'gpx']} titles={PICTURE_TITLES} testId="picture-exports" />;
}
