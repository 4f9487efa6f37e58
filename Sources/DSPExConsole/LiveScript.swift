/// The console's one inline script: it follows the server's event stream (`/events`, one JSON array of run
/// progress per change) and updates every element marked `data-run` / `data-field` with `textContent` only — no
/// markup from the stream is ever parsed. Pages work without it; they are just not live.
enum LiveScript {
    static let runs = HTML(
        trusted: """
            (function(){
            if(!window.EventSource)return;
            var source=new EventSource('/events');
            function percent(s){return s===null?'\\u2013':(s*100).toFixed(1)+'%';}
            source.onmessage=function(event){
              var runs=JSON.parse(event.data),reload=false,byName={};
              runs.forEach(function(run){byName[run.name]=run;});
              var shown=document.querySelectorAll('[data-run]'),seen={};
              shown.forEach(function(element){
                var run=byName[element.getAttribute('data-run')];
                if(!run)return;
                seen[run.name]=true;
                element.querySelectorAll('[data-field]').forEach(function(cell){
                  var field=cell.getAttribute('data-field');
                  if(field==='status'){
                    if(cell.textContent!==run.status){
                      if(cell.textContent==='running')reload=true;
                      cell.textContent=run.status;cell.className='badge '+run.status;
                    }
                  }else if(field==='score'){cell.textContent=percent(run.score);}
                  else if(field in run){cell.textContent=String(run[field]);}
                });
              });
              if(document.getElementById('runs')&&runs.some(function(run){return !seen[run.name];}))reload=true;
              if(reload)location.reload();
            };
            })();
            """)
}
