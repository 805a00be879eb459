// French words of the exports for GIS tools and field devices (protocol/i18n, issue 18): the route's and the picture's files.
// A group of the catalogue of its own (`exports.*`), used by client/src/ui/ExportLinks.tsx. Terms per docs/glossary.md.
const exports = {
  route: 'Fichiers de l’itinéraire\u00a0:',
  picture: 'Fichiers de la situation\u00a0:',
  gpx: 'fichier GPX',
  kml: 'fichier KML',
  geojson: 'fichier GeoJSON',
  routeGpxTitle: 'L’itinéraire, ses itinéraires de rechange, ses points de contrôle et son lieu sûr pour les GPS et les applications de terrain (GPX 1.1)',
  routeKmlTitle: 'L’itinéraire, ses itinéraires de rechange, ses points de contrôle, son lieu sûr et les zones proches, pour Google Earth et les SIG (KML)',
  routeGeojsonTitle: 'L’itinéraire, ses itinéraires de rechange, ses points de contrôle, son lieu sûr et les zones proches, pour les SIG (GeoJSON)',
  pictureGeojsonTitle: 'Tout ce que vous pouvez voir\u00a0: itinéraires, lieux sûrs, sites, unités, zones et contraintes d’accès, pour les SIG (GeoJSON)',
  pictureKmlTitle: 'Tout ce que vous pouvez voir, zones colorées selon leur gravité, pour Google Earth et les SIG (KML)',
  pictureGpxTitle: 'Itinéraires, lieux sûrs, sites et unités pour les GPS\u00a0; le GPX ne contient pas de zones',
};

export default exports;
