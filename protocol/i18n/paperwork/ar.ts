// Arabic words of the movement paperwork (protocol/i18n, issue 18): the deconfliction notice, the route card and the exports.
// A group of the catalogue of its own, so the pages of the paperwork keep their words together.
const paperwork = {
  title: {
    notice: 'إخطار تفادي التعارض',
  },
};

export default paperwork;
