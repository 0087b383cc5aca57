// An ES module handler for Tests/Conformance/test_hook_shims.py (loaded with import()).
export const handler = async (event) => {
  console.log('noise from an ES module');
  event.response.style = 'esm';
  return event;
};
