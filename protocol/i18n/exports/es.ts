// Spanish words of the exports for GIS tools and field devices (protocol/i18n, issue 18): the route's and the picture's files.
// A group of the catalogue of its own (`exports.*`), used by client/src/ui/ExportLinks.tsx. Terms per docs/glossary.md.
const exports = {
  route: 'Archivos de la ruta:',
  picture: 'Archivos del panorama:',
  gpx: 'archivo GPX',
  kml: 'archivo KML',
  geojson: 'archivo GeoJSON',
  routeGpxTitle: 'La ruta, sus rutas alternativas, puntos de control y refugio seguro para GPS y aplicaciones de terreno (GPX 1.1)',
  routeKmlTitle: 'La ruta, sus rutas alternativas, puntos de control, refugio seguro y las zonas cercanas, para Google Earth y SIG (KML)',
  routeGeojsonTitle: 'La ruta, sus rutas alternativas, puntos de control, refugio seguro y las zonas cercanas, para SIG (GeoJSON)',
  pictureGeojsonTitle: 'Todo lo que puede ver: rutas, refugios seguros, sitios, unidades, zonas y restricciones de acceso, para SIG (GeoJSON)',
  pictureKmlTitle: 'Todo lo que puede ver, con las zonas coloreadas según su gravedad, para Google Earth y SIG (KML)',
  pictureGpxTitle: 'Rutas, refugios seguros, sitios y unidades para GPS; el GPX no contiene zonas',
};

export default exports;
