const API_KEY = 'k-1';
async function more(p) { const r = await fetch('/api/history?symbol=XYZ&page=' + p, {headers: {'X-API-Key': API_KEY}}); return r.json(); }
more(1);
function load(n) { fetch('/api/fixtures?round=' + n).then(r => r.json()); } load(4); load(5);
var x = new XMLHttpRequest(); x.open('GET', '/feed.json');
