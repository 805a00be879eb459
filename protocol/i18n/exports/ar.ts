// Arabic words of the exports for GIS tools and field devices (protocol/i18n, issue 18): the route's and the picture's files.
// A group of the catalogue of its own (`exports.*`), used by client/src/ui/ExportLinks.tsx. Terms per docs/glossary.md.
const exports = {
  route: 'ملفات المسار:',
  picture: 'ملفات الصورة:',
  gpx: 'ملف GPX',
  kml: 'ملف KML',
  geojson: 'ملف GeoJSON',
  routeGpxTitle: 'المسار ومساراته البديلة ونقاط التفتيش والملاذ الآمن لأجهزة GPS والتطبيقات الميدانية (GPX 1.1)',
  routeKmlTitle: 'المسار ومساراته البديلة ونقاط التفتيش والملاذ الآمن والمناطق القريبة منه، لبرنامج Google Earth ونظم المعلومات الجغرافية (KML)',
  routeGeojsonTitle: 'المسار ومساراته البديلة ونقاط التفتيش والملاذ الآمن والمناطق القريبة منه، لنظم المعلومات الجغرافية (GeoJSON)',
  pictureGeojsonTitle: 'كل ما يمكنك رؤيته: المسارات والملاذات الآمنة والمواقع والوحدات والمناطق وقيود الوصول، لنظم المعلومات الجغرافية (GeoJSON)',
  pictureKmlTitle: 'كل ما يمكنك رؤيته، والمناطق ملوّنة حسب درجة خطورتها، لبرنامج Google Earth ونظم المعلومات الجغرافية (KML)',
  pictureGpxTitle: 'المسارات والملاذات الآمنة والمواقع والوحدات لأجهزة GPS؛ لا يتضمن ملف GPX المناطق',
};

export default exports;
