// English words of the exports for GIS tools and field devices (protocol/i18n, issue 18): the route's and the picture's files.
// A group of the catalogue of its own (`exports.*`), used by client/src/ui/ExportLinks.tsx.
const exports = {
  route: 'Route files:',
  picture: 'Picture files:',
  gpx: 'GPX file',
  kml: 'KML file',
  geojson: 'GeoJSON file',
  routeGpxTitle: 'The route, its alternatives, checkpoints and haven for GPS devices and field apps (GPX 1.1)',
  routeKmlTitle: 'The route, its alternatives, checkpoints, haven and the zones near it, for Google Earth and GIS (KML)',
  routeGeojsonTitle: 'The route, its alternatives, checkpoints, haven and the zones near it, for GIS (GeoJSON)',
  pictureGeojsonTitle: 'Everything you may see: routes, havens, sites, units, zones and access constraints, for GIS (GeoJSON)',
  pictureKmlTitle: 'Everything you may see, zones coloured by severity, for Google Earth and GIS (KML)',
  pictureGpxTitle: 'Routes, havens, sites and units for GPS devices; GPX holds no zones',
};

export default exports;
